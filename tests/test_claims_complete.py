"""Is every number and every comparison that the notebooks' prose states checked against the run?

Each markdown cell of source/ and notebooks/ is read sentence by sentence. A number (outside LaTeX math, code
spans, headings' and lists' numbering) or a comparative statement ("beats", "falls to", "about 5 times", "faster
than", ...) must be part of a sentence that a claim of tests/claims/ states (tests/test_notebooks.py checks the claim's
expression after running the notebook): the claim's words, math and code left out, are nearly all (`SHARE`) words
of the sentence, and every number of the claim is one of the sentence's, or be one of the lecture's constants
(tests/claims/constants.py). Prose that shows a result computed by the run is printed by a code cell instead.

`UNCHECKED` (tests/claims/unchecked.py) lists, per notebook, sentences written before this test that still await
a claim or a rewrite: the list may only shrink (a listed sentence that is gone, or checked now, fails the test
until it is removed from the list).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claims import CLAIMS
from claims.constants import CONSTANTS
from claims.unchecked import UNCHECKED
from support import ROOT

NOTEBOOKS = sorted((ROOT / "source").glob("*/*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))

_MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|<[^>]+>|\]\([^)]*\)", re.S)
_NUMBERING = re.compile(r"^\s*(?:#+\s*(?:\w+\s+)?\d+[.:)]?|\d+[.)]\s|[-*]\s)", re.M)
#: a year, as in a citation (Glorot & Bengio, 2010): not a result
_YEAR = re.compile(r"(?:19|20)\d\d")
NUMBER = re.compile(r"(?<![\w.\[{^_/-])-?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?(?:/\d+)?%?(?![\w}\]/])")
COMPARATIVE = re.compile(
    r"\b(?:beats?|outperforms?|overtakes?|falls? (?:to|from|below)|drops? (?:to|below)|rises? (?:to|above)|"
    r"grows? (?:to|by)|shrinks? (?:to|by)|about \S+ times|\S+ times (?:larger|smaller|faster|slower|more|fewer|"
    r"bigger|as)|(?:faster|slower|larger|smaller|bigger|better|worse|more|fewer|less|higher|lower) than|"
    r"twice as|half as|doubles?|halves)\b", re.I)


#: the share of a claim's words that a sentence must hold for the claim to cover it
SHARE = 0.7


def _plain(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> set[str]:
    """Lower-case words and numbers, math and code included (LaTeX's \\mu reads as mu), a number's trailing dot
    left out."""
    return {w.rstrip(".") for w in re.findall(r"[a-z]+|\d[\d.e/-]*", text.lower())}


def covers(claim: str, sentence: str) -> bool:
    """Whether the claim's text states the sentence: nearly all its words there, and none of its numbers missing."""
    said, words = _words(claim), _words(sentence)
    numbers = {w for w in said if w[0].isdigit()}
    return bool(said) and len(said & words) >= SHARE * len(said) and numbers <= words


def _sentences(text: str) -> list[str]:
    """The markdown cell's sentences, math and code kept (claims state them), blockquote marks left out."""
    text = re.sub(r"^[ \t]*>[ \t]?", "", text, flags=re.M)
    return [s for s in re.split(r"(?<=[.!?:;])\s+(?=[A-Z*(\"'])|\n\s*\n", text) if s.strip()]


def unchecked_sentences(path: Path) -> list[str]:
    """Every sentence of the notebook's prose with a number or a comparison that neither a claim nor the
    constants cover."""
    nb = json.loads(path.read_text())
    claims = [says for says, _ in CLAIMS.get(path.stem, [])]
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = _NUMBERING.sub(" ", "".join(cell["source"]))
        for sentence in _sentences(text):
            plain = _plain(sentence)
            bare = _MATH_OR_CODE.sub(" ", plain)
            numbers = [n for n in NUMBER.findall(bare) if n.rstrip("%") not in CONSTANTS and not _YEAR.fullmatch(n)]
            if not numbers and not COMPARATIVE.search(bare):
                continue
            if any(covers(says, plain) for says in claims):
                continue
            found.append(plain)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_number_and_comparison_in_prose_is_checked_by_a_claim(path):
    found = unchecked_sentences(path)
    known = [_plain(s) for s in UNCHECKED.get(path.stem, [])]
    new = [s for s in found if s not in known]
    gone = [s for s in known if s not in found]
    assert not new, (f"{path.name}: sentences whose numbers or comparisons no claim checks; quote each in a claim "
                     f"of tests/claims/claims_{path.stem}.py with an expression over the run, or print the number "
                     "from the run:\n  " + "\n  ".join(new))
    assert not gone, (f"{path.name}: sentences of tests/claims/unchecked.py that are checked now or gone from the "
                      "text: remove them from the list:\n  " + "\n  ".join(gone))
