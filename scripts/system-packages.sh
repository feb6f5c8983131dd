#!/usr/bin/env bash
# The Debian packages the course needs, installed once when missing (as root with apt-get), else named with the
# command that installs them. The Makefile runs this before every target that needs the set-up.
#   bubblewrap   the grading kernels' sandbox (README, "Grading safety"); grading refuses to run without it
#   chromium     the browser of the browser tests (tests/chromium.py finds it, never installs it)
#   postgresql   the server the PostgreSQL tests start on a private folder and port (the course needs only psycopg)
#   python3-venv Debian's /usr/bin/python3 gets its venv module, for the hub's environment (make hub-env)
set -euo pipefail
PACKAGES=(bubblewrap chromium postgresql python3-venv)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if command -v dpkg-query >/dev/null; then
        dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || missing+=("$pkg")
    else
        case "$pkg" in bubblewrap) cmd=bwrap ;; postgresql) cmd=pg_ctl ;; *) cmd="$pkg" ;; esac
        command -v "$cmd" >/dev/null || missing+=("$pkg")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
        { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } ||
        { echo "apt-get could not install: ${missing[*]}" >&2; exit 1; }
else
    cat >&2 <<MSG
Missing system packages: ${missing[*]}. Install them once, then run make again:
    sudo apt-get install --no-install-recommends ${missing[*]}   (Debian, Ubuntu; elsewhere: the same)
  bubblewrap: grading refuses to run without its sandbox; chromium: the browser tests fail without it
  (or point CHROMIUM=/path/to/chrome at another Chromium or Chrome); postgresql: the PostgreSQL tests skip without it.
MSG
fi
