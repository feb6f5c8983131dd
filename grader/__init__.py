"""The course's grading platform, for instructors; students' notebooks never import it (they import `helpers`).

A folder per part, each importing only the parts below it (tests/test_layout.py):
- the course: `course` (one `Course` object: nbgrader_config.py loaded once, every path, the gradebook, the
  assignments discovered from source/) and `release` (release/, the gradebook's cells, the bundle workers start from);
- `plugins`: nbgrader's pipeline made safe, as nbgrader's own plug-ins: `execute` (SafeExecute), `kernel`,
  `sandbox` and `mounts` (the sandboxed kernel), `recheck` and `recheck_server` (tests checked again outside the
  kernel), `restore` and `matching` (cells put back from the gradebook), `hidden_tests` (feedback without them),
  `mathml`, `validate` (the Validate button), `timestamps`, `phases` (wall and CPU seconds per grading phase),
  `patches` (every patch of nbgrader);
- `classrun`: a class graded on Dask: `intake` and `handin` (what a run grades), `run`, `cluster`, `tasks` (what a
  worker does: `records` in, `records` out), `gradebook` (merge), `state`, `progress`, `scores`, `export`,
  `report` and `figures` (with `templates/report.html`);
- `hub`: the course on a JupyterHub: `site` (paths, each role's environment), `roster` (`course roster`),
  `exchange` and `collect` (nbgrader's exchange made private), `nbgrader_command` (the hub's `nbgrader`), `server`;
- `tools`: `bench`, `hubbench`, `demo`, `scenarios` (fixture and example notebooks), `hubclass`;
- `cli`: the `course` command.
"""
