"""The points a notebook's prose gives its exercises and questions, checked against its nbgrader metadata.

A points table or "Question (2 points, ...)" is an instruction, not a result; what can go wrong is that it no longer
says what grading gives. `points_are(notebook, {grade_id: points})` is a claim's expression that reads the notebook's
own file (a claim runs in the notebook's kernel, in its folder) and compares the points of the named graded cells.
"""


def points_are(notebook: str, points: dict[str, int]) -> str:
    """An expression, true when every graded cell named in `points` carries exactly those points."""
    graded = (f"{{c['metadata']['nbgrader']['grade_id']: c['metadata']['nbgrader'].get('points') "
              f"for c in __import__('json').load(open({notebook!r}))['cells'] "
              f"if c['metadata'].get('nbgrader', {{}}).get('grade')}}")
    return f"all({graded}.get(k) == v for k, v in {points!r}.items())"
