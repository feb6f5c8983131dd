"""The course on a JupyterHub: where its parts live (`site`), the roster, nbgrader's exchange made private (`exchange`, `collect`), and the hub server for tests and benchmarks."""
