"""Does the warm re-check server give the same verdicts as a one-off run, and keep jobs apart and bounded?"""

import json
import subprocess
import sys
import time

import pytest

from grader.plugins.recheck_server import RecheckServer, run, warm


def _job(test_source: str, setup_source: str = "import numpy as np") -> dict:
    return {"cells": [{"kind": "setup", "grade_id": "setup_imports", "source": setup_source},
                      {"kind": "test", "grade_id": "test_it", "source": test_source}],
            "names": ["double"], "transcripts": {"test_it": []}}


@pytest.fixture(scope="module")
def verifier():
    v = RecheckServer()
    yield v
    v.close()


def test_the_server_gives_the_verdicts_of_a_one_off_run(verifier):
    for source in ["assert np.isclose(2 + 2, 4), 'arithmetic'", "assert 1 == 2, 'one is not two'",
                   "raise ValueError('found 3, expected 4')"]:
        job = _job(source)
        assert verifier.check(job, timeout=30) == run(job), source
    one_off = subprocess.run([sys.executable, "-m", "grader.plugins.recheck_server"], input=json.dumps(_job("assert False, 'no'")),
                             capture_output=True, text=True, check=True)
    assert json.loads(one_off.stdout)["test_it"] == {"passed": False, "ename": "AssertionError", "evalue": "no",
                                                     "output": "", "mistake": None}
    assert verifier.check(_job("assert False, 'no'"), timeout=30) == json.loads(one_off.stdout)


def test_a_job_cannot_change_what_the_next_job_sees(verifier):
    patched = _job("np.allclose = lambda *a, **k: True\nimport helpers.checks\nhelpers.checks.expect = print")
    assert verifier.check(patched, timeout=30)["test_it"]["passed"]
    honest = _job("from helpers.checks import expect\nexpect(not np.allclose(1, 2), 'allclose still compares')")
    assert verifier.check(honest, timeout=30)["test_it"] == {"passed": True, "ename": "", "evalue": "", "output": "",
                                                             "mistake": None}


def test_what_the_trusted_test_prints_is_its_output():
    assert run(_job("print('4 checks passed')"))["test_it"]["output"] == "4 checks passed\n"


def test_a_job_that_runs_too_long_is_stopped_and_the_server_goes_on(verifier):
    start = time.perf_counter()
    assert verifier.check(_job("import time\ntime.sleep(60)"), timeout=1) is None
    assert time.perf_counter() - start < 10
    assert verifier.check(_job("pass"), timeout=30)["test_it"]["passed"]


def test_output_of_a_job_does_not_corrupt_the_answer(verifier):
    noisy = _job("import os, sys\nos.write(1, b'not json\\n' * 1000)\nprint('x' * 10**6)\nsys.stderr.write('e')")
    assert verifier.check(noisy, timeout=30)["test_it"]["passed"]


def test_a_dead_server_is_replaced():
    v = RecheckServer()
    try:
        assert v.check(_job("pass"), timeout=30)["test_it"]["passed"]
        v.proc.kill()
        v.proc.wait()
        assert v.check(_job("pass"), timeout=30)["test_it"]["passed"]
    finally:
        v.close()


def test_the_server_exits_when_its_grader_goes_away():
    proc = subprocess.Popen([sys.executable, "-m", "grader.plugins.recheck_server", "--serve"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0


def test_a_notebook_without_test_cells_is_not_a_failure(verifier):
    assert verifier.check({"cells": [], "names": [], "transcripts": {}}, timeout=30) == {}


def test_warming_imports_the_set_up_cells_modules_and_runs_nothing_else():
    sys.modules.pop("helpers.datasets", None)
    sys.modules.pop("colorsys", None)
    setup = ("import colorsys\nfrom helpers import datasets\nfrom helpers.checks import call\n"
             "raise SystemExit('a set-up cell must not run in the server')\n%matplotlib inline")
    warm({"cells": [{"kind": "setup", "grade_id": "setup_imports", "source": setup}]})
    assert "colorsys" in sys.modules and "helpers.datasets" in sys.modules


def test_the_mistake_a_check_names_travels_as_data():
    job = _job("from helpers.checks import expect_close\n"
               "expect_close(2.0, 1.0, 'sigma', 'X = [1, 3]', mistakes={'you took the variance of X': 2.0})")
    verdict = run(job)["test_it"]
    assert not verdict["passed"] and verdict["mistake"] == "you took the variance of X", verdict
