"""The course's JupyterHub run for a while: on loopback and free ports, with a private state folder, and its REST API.

    hub = HubServer(site, roster, state_folder)       # the same hub `make hub` runs (hub/jupyterhub_config.py)
    hub.start()                                       # returns once the hub answers
    token = hub.login_token("ada", password)          # PAM: the account's Unix password
    hub.spawn("ada", token)                           # her server, started and answering
    status, headers, body = hub.get("/user/ada/assignments?course_id=optimization-setup", token)
    hub.stop()                                        # the hub stops the users' servers and its proxy

For the hub tests and `course hub-bench`; waits are on conditions (the hub's API answering, a server's `ready`),
polled at short intervals, with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .site import HubSite


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports on 127.0.0.1 (each course's formgrader takes the next one)."""
    for _ in range(100):
        first = free_port()
        try:
            for port in range(first + 1, first + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")


class HubServer:
    """JupyterHub from `site`'s prefix with `roster` (HUB_ROSTER: a path, or `[course-id=]path` specs separated by
    spaces, one per course), its state in `state` (created 0700), on 127.0.0.1."""

    def __init__(self, site: HubSite, roster: Path | str, state: Path, environ: dict | None = None):
        self.site, self.roster, self.state = site, str(roster), Path(state)
        self.port, self.api_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.formgrader_port = free_ports(max(1, len(str(roster).split())))
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.state / "jupyterhub.log"
        self.environ = dict(environ if environ is not None else os.environ)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> None:
        """Start the hub and return once its API answers; RuntimeError with its log if it does not."""
        self.state.mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o700)
        env = dict(self.environ, HUB_PREFIX=str(self.site.prefix), HUB_EXCHANGE=str(self.site.exchange),
                   HUB_STATE=str(self.state), HUB_ROSTER=str(self.roster), HUB_IP="127.0.0.1",
                   HUB_PORT=str(self.port), HUB_API_PORT=str(self.api_port),
                   HUB_PROXY_API_PORT=str(self.proxy_api_port), HUB_FORMGRADER_PORT=str(self.formgrader_port),
                   PYTHONUNBUFFERED="1")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([str(self.site.bin / "jupyterhub"), "-f",
                                          str(self.site.prefix / "etc" / "jupyterhub_config.py")],
                                         cwd=self.state, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._wait(lambda: self.request("GET", "/hub/api/")[0] == 200, timeout, "the hub's API to answer")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.is_file() else ""

    def _wait(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited with {self.proc.returncode} while waiting for {what}:\n"
                                   f"{self.log_tail()}")
            try:
                if condition():
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)  # polling interval of a readiness probe
        raise RuntimeError(f"waited {timeout:.0f} s for {what}:\n{self.log_tail()}")

    def request(self, method: str, path: str, token: str | None = None, body=None,
                timeout: float = 60) -> tuple[int, dict, bytes]:
        """(status, headers, body) of `method path` on the hub's public address; HTTP errors are returned too."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            request.add_header("Authorization", f"token {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str, token: str | None = None) -> tuple[int, dict, bytes]:
        return self.request("GET", path, token)

    def api(self, method: str, path: str, token: str | None = None, body=None):
        """The JSON answer of the hub's REST API (`path` below /hub/api); RuntimeError on an HTTP error."""
        status, _, data = self.request(method, "/hub/api" + path, token, body)
        if status >= 400:
            raise RuntimeError(f"{method} /hub/api{path}: HTTP {status}: {data[:500]!r}")
        return json.loads(data) if data else None

    def login_token(self, user: str, password: str, note: str = "course hub") -> str:
        """A new API token of `user`, asked for with their Unix password (the hub checks it through PAM)."""
        answer = self.api("POST", f"/users/{user}/tokens",
                          body={"auth": {"username": user, "password": password}, "note": note})
        return answer["token"]

    def spawn(self, user: str, token: str, timeout: float = 180) -> float:
        """Start `user`'s server through the REST API and wait until the hub says it is ready; seconds taken."""
        start = time.monotonic()
        status, _, data = self.request("POST", f"/hub/api/users/{user}/server", token)
        if status not in (201, 202, 400) or (status == 400 and b"already running" not in data):
            raise RuntimeError(f"spawning {user}'s server: HTTP {status}: {data[:500]!r}")
        self._wait(lambda: self.api("GET", f"/users/{user}", token).get("servers", {}).get("", {}).get("ready"),
                   timeout, f"{user}'s server to be ready")
        return time.monotonic() - start

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM the hub (it stops the users' servers and the proxy first), SIGKILL it after `timeout`."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        proxy_pid = self.state / "jupyterhub-proxy.pid"  # left behind only when the hub died before stopping it
        try:
            pid = int(proxy_pid.read_text().strip())
            if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():  # not a reused pid
                os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            pass
