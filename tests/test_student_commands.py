"""Does a student's nbgrader command (list, fetch, submit, validate) start without the imports that cost seconds?

Counts the modules the command's start imports (timing nothing): rfc3987-syntax builds a grammar with lark when
nbformat imports jsonschema 4.25 or later, about 2 s at every start; requirements.txt pins jsonschema 4.24.
"""

from __future__ import annotations

import json
import subprocess
import sys

SLOW = ("rfc3987_syntax", "lark")


def test_an_nbgrader_command_starts_without_the_grammar_that_costs_seconds():
    code = ("import json, sys, nbgrader.apps.nbgraderapp, nbgrader.exchange.default; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))" % (SLOW,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert not loaded, (f"starting an nbgrader command imported {loaded}: about 2 s for every student's list, fetch "
                        "and submit (pin jsonschema below 4.25, requirements.txt)")
