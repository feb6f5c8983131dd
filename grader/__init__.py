"""The course's grading platform, for instructors; students' notebooks never import it (they import `helpers`).

By role:
- the course: `course` (one `Course` object: nbgrader_config.py loaded once, every path, the gradebook),
  `release` (release/, the gradebook's cells, the bundle workers start from), `cli` (the `course` command);
- nbgrader's pipeline made safe: `execute` (SafeExecute), `kernel` and `sandbox` (the sandboxed kernel),
  `recheck` and `verify` (tests checked again outside the kernel), `restore` (cells put back from the gradebook),
  `feedback` (hidden tests hidden), `validate` (the Validate button), `timestamps`;
- a grading run: `intake` (what a run grades), `run` (the run on Dask), `cluster` (where it runs), `tasks` (what a
  worker does, data in, data out), `gradebook` (records, merge, exports), `state` (what runs keep),
  `progress`, `scores`, `report` (with `templates/report.html`);
- the course on a JupyterHub: `hub` (roster, paths, each role's environment), `roster` (`course roster`),
  `exchange` (nbgrader's exchange made private), `hubserver`, `hubclass` and `hubbench` (`course hub-bench`);
- the tooling: `submissions` (fixture and example notebooks), `demo`, `bench`.
"""
