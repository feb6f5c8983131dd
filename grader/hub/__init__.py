"""The course on a JupyterHub: where its parts live (`site`), the roster, nbgrader's exchange made private (`exchange`,
`collect`), the users' `nbgrader` command (`nbgrader_command`), the teaching staff's shared formgrader (`formgrader`,
`staff_authorizer`), and the hub server for tests and benchmarks."""
