"""What the notebooks' markdown says they show, as expressions over the notebook's variables after a run.

`tests/test_notebooks.py` runs every notebook of source/ and notebooks/ top to bottom, then evaluates these in
the same kernel: a claim that no longer holds (the code changed, the text did not) fails the test with the
sentence the text states. They stay out of the notebooks (students see the text and the plots, not the checks)
and out of release/.

One module per notebook, named after its file stem with a `claims_` prefix (`claims_01_normalization.py`,
`claims_01_normalization_explorer.py`), holding `CLAIMS`: a list of (the sentence of the markdown, a Python
expression that is true when the run above shows it).
"""

from importlib import import_module
from pathlib import Path

CLAIMS: dict[str, list[tuple[str, str]]] = {
    path.stem.removeprefix("claims_"): import_module(f"{__name__}.{path.stem}").CLAIMS
    for path in sorted(Path(__file__).parent.glob("claims_*.py"))
}
