"""pytest's fixtures shared by the suite (what else it shares is in support.py): the course root, Chromium and
Playwright for the browser tests, and one private PostgreSQL server per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import ROOT

@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium (tests/chromium.py), for the browser tests of tests/browser/ and tests/hub/."""
    from chromium import find_chromium

    return find_chromium()


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright (sync API) for the session: every browser test launches its Chromium from it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def postgres():
    """One private PostgreSQL server for the session (tests/servers.py); `postgres.url(name)` makes a database.

    Its tests (test_postgres.py, tests/hub/test_postgres_gradebook.py) share the xdist group "servers" with the hub
    tests, so one process starts it once."""
    from servers import PostgresServer, postgres_bin

    if postgres_bin() is None:
        pytest.fail("PostgreSQL's server is not installed: `make system-packages` installs Debian's postgresql")
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()
