"""What the hub tests share besides their fixtures (conftest.py): the assignments of the two cycles, the points and
hidden lines of an assignment, the stale-environment check, a command as a user, and the cycle's record."""

from __future__ import annotations

import datetime
import filecmp
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from support import ROOT  # tests/support.py

#: the assignment of the scripted cycle (`cycle`); the browser's is another, so that each releases its own
A = "02_vanishing_exploding"
BROWSER_ASSIGNMENT = "01_normalization"


def points(assignment: str) -> tuple[float, float]:
    """(autograded points, total points) of an assignment: what the solution scores before grading by hand."""
    import nbformat

    from grader.tools.scenarios import graded_cells

    nb = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    total = sum(float(c.metadata.get("nbgrader", {}).get("points", 0)) for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade"))
    return sum(graded_cells(nb).values()), total


def hidden_lines(assignment: str) -> list[str]:
    """Distinctive lines of the source notebook's hidden tests that the student's release notebook does not show."""
    import nbformat

    nb = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    shown = "\n".join(cell.source for cell in release.cells)
    lines = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            core = line.strip().rstrip(",:")  # a mistake's sentence may also stand in a visible test, as "...": x
            if "### BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "### END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(core) > 25 and core not in shown:
                lines.append(line.strip())
    assert len(lines) >= 5, f"hardly any hidden test code found in {assignment}'s source: {lines}"
    return lines


def stale_files(site) -> list[str]:
    """Files of this checkout that differ from what the hub's environment has installed (make hub-env copies them)."""
    site_packages = next(site.prefix.glob("venv/lib/python3*/site-packages"))
    pairs = [(p, site_packages / p.relative_to(ROOT)) for package in ("helpers", "grader")
             for p in (ROOT / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    pairs += [(p, site.prefix / "etc" / p.relative_to(ROOT / "hub")) for p in (ROOT / "hub").rglob("*")
              if p.is_file() and (p.name == "jupyterhub_config.py" or "jupyter" in p.relative_to(ROOT / "hub").parts)]
    pairs += [(ROOT / "nbgrader_config.py", site.course_config),
              (ROOT / "hub" / "lab-settings" / "overrides.json", site.lab_overrides)]
    return [str(src.relative_to(ROOT)) for src, dst in pairs if not dst.is_file() or not filecmp.cmp(src, dst, False)]


def as_user(klass, user: str, command: str):
    """A shell command as `user` (their login's uid, groups and their role's environment); the CompletedProcess."""
    return klass.site.run_as(user, klass.role(user), ["/bin/sh", "-c", command], check=False)


@dataclass
class Cycle:
    """What the class's release-to-feedback cycle left: paths learned as root, logs of the steps."""

    a: str
    b: str
    real_submissions: list[Path]          # A's folders in inbound, oldest first
    forged: Path                          # B's folder in A's name, with a later timestamp
    collect_log: str
    grade_output: str
    released_feedback: dict[str, Path]    # student -> their file in the exchange's feedback/
    fetched_feedback: dict[str, list[Path]] = field(default_factory=dict)


def forge(klass, forger: str, victim: str) -> Path:
    """`forger` makes a submission folder named as `victim`'s, dated an hour later, with forger's notebook."""
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    stamp = later.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    forged = klass.site.course_exchange / "inbound" / f"{victim}+{A}+{stamp}+forgedbyb"
    mine = klass.student_folder(forger, A) / f"{A}.ipynb"
    done = as_user(klass, forger, f"mkdir {shlex.quote(str(forged))} && cp {shlex.quote(str(mine))} "
                                  f"{shlex.quote(str(forged))}/ && printf %s {shlex.quote(stamp)} > "
                                  f"{shlex.quote(str(forged / 'timestamp.txt'))}")
    assert done.returncode == 0, f"a student could not create a folder in inbound at all: {done.stderr}"
    return forged




class Screens:
    """One browser, a context per user; `shot(page, name)` saves <artifacts>/<nn>-<name>.png, and `shoot_all`
    every open page (when a test fails). The browser tests of the hub share it."""

    def __init__(self, browser, artifacts: Path):
        import shutil

        self.browser, self.artifacts, self.contexts, self.count = browser, artifacts, [], 0
        shutil.rmtree(artifacts, ignore_errors=True)
        artifacts.mkdir(parents=True)

    def context(self):
        from chromium import LOAD_TIMEOUT_MS

        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(LOAD_TIMEOUT_MS)
        self.contexts.append(context)
        return context

    def shot(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=self.artifacts / f"{self.count:02d}-{name}.png")

    def shoot_all(self, prefix: str) -> None:
        for i, context in enumerate(self.contexts):
            for j, page in enumerate(context.pages):
                page.screenshot(path=self.artifacts / f"{prefix}-{i}-{j}.png", full_page=True)


def log_in(screens: Screens, hub, user: str, password: str):
    """`user` logs in on the hub's login page, in a browser context of their own; their JupyterLab, loaded."""
    import re

    from playwright.sync_api import expect

    page = screens.context().new_page()
    page.goto(f"{hub.base}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"))  # the hub spawns the server, then sends her there
    expect(page.locator("#jp-MainMenu")).to_be_visible()
    return page


def launched(chromium: str, playwright_driver, artifacts: Path):
    """A generator for a pytest fixture: Debian's Chromium launched headless, as `Screens` saving into
    `artifacts`; closed at the end."""
    from playwright.sync_api import expect

    from chromium import CHROMIUM_ARGS, LOAD_TIMEOUT_MS

    expect.set_options(timeout=LOAD_TIMEOUT_MS)
    browser = playwright_driver.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
    try:
        yield Screens(browser, artifacts)
    finally:
        browser.close()


def wait_for(condition, timeout: float, what: str):
    """Poll `condition` every 0.1 s until it returns something true (returned), or fail after `timeout` seconds."""
    import time

    import pytest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)  # a poll of a file the grading service writes, with a deadline
    pytest.fail(f"waited {timeout:.0f} s for {what}")


class Session:
    """A user's browser without a browser: cookies, the hub's login form (PAM) and the XSRF header a page's scripts
    send, over HTTP to the hub's public address."""

    def __init__(self, hub):
        import http.cookiejar
        import urllib.request

        self.hub, self.cookies = hub, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def log_in(self, user: str, password: str, next_path: str) -> tuple[int, str, str]:
        """Fill in and send the hub's login form, asking to go to `next_path` afterwards (OAuth included);
        (status, final URL, body) of where the redirects end."""
        import re
        import urllib.parse

        login = f"/hub/login?next={urllib.parse.quote(next_path)}"
        _, _, page = self.request("GET", login)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page)
        assert xsrf, "the hub's login page has no _xsrf field"
        form = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf.group(1)}).encode()
        return self.request("POST", login, form, content_type="application/x-www-form-urlencoded")

    def request(self, method: str, path: str, data: bytes | None = None, content_type: str = "application/json",
                timeout: float = 120) -> tuple[int, str, str]:
        """(status, final URL, body as text) of `method path`, redirects followed, HTTP errors returned too; a
        request that changes something carries the XSRF cookie of the server it goes to as X-XSRFToken, as
        nbgrader's formgrader pages do."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.hub.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if method not in ("GET", "HEAD"):
            xsrf = [c.value for c in self.cookies if c.name == "_xsrf" and path.startswith(c.path.rstrip("/"))]
            if xsrf:
                request.add_header("X-XSRFToken", xsrf[-1])
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.url, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def json(self, method: str, path: str, body=None):
        """The JSON answer of `method path` with `body` as JSON; fails the test on an HTTP error."""
        import json

        status, _, text = self.request(method, path, json.dumps(body).encode() if body is not None else
                                       (b"" if method != "GET" else None))
        assert status == 200, f"{method} {path}: HTTP {status}: {text[:500]}"
        return json.loads(text)
