"""Debian's Chromium, driven by Playwright, for both browser suites (tests/browser/ on JupyterLab, tests/hub/ on the
course's JupyterHub). The root conftest.py holds the session fixtures: `chromium` (the executable's path) and
`playwright_driver` (one Playwright for the whole session: a second sync_playwright() in the same thread fails).

Chromium is installed by the set-up (`make`'s system-packages, once, before any test runs), never by a test: a
test that installed packages would race the other xdist workers for the dpkg lock. Missing, it is a clear failure
that says what to install.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: Set CHROMIUM=/path/to/chromium to use another Chromium or Chrome than Debian's.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these Chromium phones home at start-up, and a closed network refuses it.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Generous for a loaded 2-core machine; every wait ends as soon as the page shows what it waits for.
LOAD_TIMEOUT_MS = 90_000


def _find_chromium() -> str | None:
    wanted = os.environ.get("CHROMIUM")
    if wanted:
        return wanted if Path(wanted).is_file() else None
    return next((c for c in CHROMIUM_CANDIDATES if Path(c).is_file()), None)


def find_chromium() -> str:
    """The path of a Chromium executable, or a failure that says how to get one."""
    found = _find_chromium()
    if found:
        return found
    if os.environ.get("CHROMIUM"):
        pytest.fail(f"CHROMIUM={os.environ['CHROMIUM']} is not a file.")
    pytest.fail("The browser tests need Chromium, and none is at " + ", ".join(CHROMIUM_CANDIDATES) + ".\n"
                "    make system-packages                 (as root: installs what the course needs, chromium too)\n"
                "    or Debian's package chromium with sudo (chromium-browser or google-chrome elsewhere),\n"
                "or point CHROMIUM=/path/to/chrome at one, or skip these tests with  -m 'not browser'.")
