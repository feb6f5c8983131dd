# Deployment of the course's JupyterHub (hub/README.md), called by the Makefile's hub-env, roster and hub targets,
# and by its test target as root: `make -f hub/deploy.mk hub-env` from the repository's root.
HUB_PREFIX   ?= /opt/optimization-setup
HUB_STATE    ?= /var/lib/optimization-setup/hub
HUB_EXCHANGE ?= /srv/nbgrader/exchange
HUB_ROSTER   ?= roster.csv
HUB_IP       ?= 127.0.0.1
HUB_PORT     ?= 8000
HUB_PYTHON   := /usr/bin/python3
HUB_VENV     := $(HUB_PREFIX)/venv
HUB_STAMP    := $(HUB_PREFIX)/.installed
HUB_LAB_OVERRIDES := $(HUB_VENV)/share/jupyter/lab/settings/overrides.d
export HUB_PREFIX
HUB_FILES    := $(shell find helpers grader hub -type f -not -path '*/__pycache__/*' -not -name '*.pyc' \
                  -not -name '*.md' -not -name '*.csv' -not -name 'package*.json' -not -path 'hub/labextension/*' \
                  2>/dev/null)
# The course's JupyterLab extension (hub/labextension/): its sources, and where the hub's JupyterLab finds it built
HUB_LABEXT   := $(HUB_VENV)/share/jupyter/labextensions/@optimization-setup/live-course
LABEXT_FILES := $(shell find hub/labextension -type f -not -path '*/node_modules/*' -not -path 'hub/labextension/lib/*' \
                  -not -path 'hub/labextension/labextension/*' -not -name '*.tsbuildinfo' 2>/dev/null)

.PHONY: hub-env roster hub system-packages

system-packages:
	@scripts/system-packages.sh

# Everything the hub's users run lives in HUB_PREFIX and is readable by every user: a venv made with Debian's
# /usr/bin/python3 (the `python3` on PATH may be pyenv's under /root, mode 0700, which no other user can run),
# holding requirements.txt, hub/requirements.txt and this project installed as a package (not editable: every user
# imports helpers and grader from site-packages, never from this checkout); configurable-http-proxy from npm
# (hub/package-lock.json); the hub's configuration (hub/jupyterhub_config.py, hub/jupyter/), the course's
# nbgrader_config.py (every user's nbgrader loads it: hub/jupyter/common/nbgrader_config.py) and JupyterLab's
# settings for everyone (hub/lab-settings/: no news or update checks); the course's JupyterLab extension
# (hub/labextension/). Four stamps: the venv is rebuilt when a requirements file changes, the proxy when the npm
# files change, the extension when its sources change or the venv is rebuilt, the project and configuration
# (seconds) when nbgrader_config.py or a file of helpers/, grader/ or hub/ changes. The venv's `nbgrader` is then
# the course's (grader/hub/nbgrader_command.py: nbgrader's apps, a student's commands started without the rest of
# nbgrader), written after every install of the venv or the project.
HUB_NEED_ROOT = @[ "$$(id -u)" = 0 ] || { echo "make hub-env and make hub run as root (sudo make ...): they write \
	$(HUB_PREFIX), and the hub runs each user's server as that user" >&2; exit 1; }

$(HUB_PREFIX)/.venv-installed: requirements.txt hub/requirements.txt | system-packages
	$(HUB_NEED_ROOT)
	@umask 022; test -x $(HUB_VENV)/bin/python || $(HUB_PYTHON) -m venv $(HUB_VENV)
	umask 022; $(HUB_VENV)/bin/python -m pip install --quiet --upgrade pip
	umask 022; $(HUB_VENV)/bin/python -m pip install --quiet -r requirements.txt -r hub/requirements.txt
	@touch $@

# Node.js >= 20.19 with npm comes with the machine (Debian 12's own nodejs is 18, too old for the proxy's ES modules).
NODE_NEW_ENOUGH := const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a == 20 && b >= 19) ? 0 : 1)
$(HUB_PREFIX)/.proxy-installed: hub/package.json hub/package-lock.json
	$(HUB_NEED_ROOT)
	@command -v npm >/dev/null && node -e '$(NODE_NEW_ENOUGH)' || { echo "make hub-env: configurable-http-proxy \
	needs Node.js >= 20.19 and npm (found: $$(node --version 2>/dev/null || echo no node), \
	$$(npm --version 2>/dev/null || echo no npm)); install them from nodejs.org or NodeSource" >&2; exit 1; }
	@umask 022; mkdir -p $(HUB_PREFIX) && cp hub/package.json hub/package-lock.json $(HUB_PREFIX)/
	umask 022; cd $(HUB_PREFIX) && npm ci --omit=dev --no-audit --no-fund --loglevel=error
	@touch $@

# The course's JupyterLab extension (hub/labextension/, the live course in nbgrader's Assignments tab), built by
# JupyterLab's own toolchain in a scratch copy (the checkout gets no node_modules/): `npm ci` from its
# package-lock.json, TypeScript, then `jupyter labextension build` against the core package of the venv's own
# JupyterLab (so the shared packages are exactly those the hub's JupyterLab provides), installed prebuilt where
# every user's JupyterLab loads it. Rebuilt when its sources change or the venv is reinstalled (about 20 s).
$(HUB_PREFIX)/.labextension-installed: $(HUB_PREFIX)/.venv-installed $(LABEXT_FILES)
	$(HUB_NEED_ROOT)
	@command -v npm >/dev/null && node -e '$(NODE_NEW_ENOUGH)' || { echo "make hub-env: the course's JupyterLab \
	extension needs Node.js >= 20.19 and npm (found: $$(node --version 2>/dev/null || echo no node))" >&2; exit 1; }
	@set -e; umask 022; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp -r hub/labextension/package.json hub/labextension/package-lock.json hub/labextension/tsconfig.json \
		hub/labextension/src hub/labextension/style "$$tmp"/; \
	core=$$($(HUB_VENV)/bin/python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging", "package.json"))'); \
	cd "$$tmp" && npm ci --no-audit --no-fund --loglevel=error && node_modules/.bin/tsc && \
	PATH="$(HUB_VENV)/bin:$$PATH" jupyter-builder build --core-package-file "$$core" . >build.log 2>&1 || \
		{ cat build.log >&2; exit 1; }; \
	rm -rf $(HUB_LABEXT) && mkdir -p $(dir $(HUB_LABEXT)) && cp -r "$$tmp/labextension" $(HUB_LABEXT)
	@touch $@

# pip builds from a copy, so the checkout gets no build/ folder; chmod a+rX: readable whatever umask pip kept.
$(HUB_STAMP): $(HUB_PREFIX)/.venv-installed $(HUB_PREFIX)/.proxy-installed $(HUB_PREFIX)/.labextension-installed \
		pyproject.toml nbgrader_config.py $(HUB_FILES)
	$(HUB_NEED_ROOT)
	@set -e; umask 022; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp -r pyproject.toml helpers grader "$$tmp"/; \
	$(HUB_VENV)/bin/python -m pip install --quiet --no-deps --no-cache-dir --force-reinstall "$$tmp"
	@umask 022; { echo '#!$(HUB_VENV)/bin/python'; \
	echo "# The course's nbgrader (grader/hub/nbgrader_command.py), written by make hub-env over nbgrader's own."; \
	echo 'import sys'; echo 'from grader.hub.nbgrader_command import main'; echo 'sys.exit(main())'; } \
	> $(HUB_VENV)/bin/nbgrader.tmp && chmod 755 $(HUB_VENV)/bin/nbgrader.tmp && \
	mv $(HUB_VENV)/bin/nbgrader.tmp $(HUB_VENV)/bin/nbgrader
	@umask 022; rm -rf $(HUB_PREFIX)/etc && mkdir -p $(HUB_PREFIX)/etc/course $(HUB_LAB_OVERRIDES) && \
	cp -r hub/jupyterhub_config.py hub/jupyter $(HUB_PREFIX)/etc/ && \
	cp nbgrader_config.py $(HUB_PREFIX)/etc/course/ && \
	cp hub/lab-settings/overrides.json $(HUB_LAB_OVERRIDES)/optimization-setup.json && chmod -R a+rX $(HUB_PREFIX)
	@touch $@
	@echo "hub environment ready in $(HUB_PREFIX)"

hub-env: $(HUB_STAMP)

# The class's accounts, course folder, exchange and gradebook from the roster (course roster, from the hub's
# environment: no .venv needed). ROSTER_ARGS=--dry-run prints the plan only.
roster: hub-env
	$(HUB_NEED_ROOT)
	$(HUB_VENV)/bin/course roster $(HUB_ROSTER) --exchange $(HUB_EXCHANGE) --source . $(ROSTER_ARGS)

# The hub for the course (root: PAM and one process per user). The roster says who may log in and who is the
# instructor; `course roster` creates the accounts, the course folder and the exchange first.
# Several courses: HUB_ROSTER="roster.csv ml-basics=ml-basics.csv", a roster per course (`[course-id=]path`, hub/README.md);
# each path made absolute for the hub.
HUB_ROSTER_ABS = $(foreach r,$(HUB_ROSTER),$(if $(findstring =,$(r)),$(firstword $(subst =, ,$(r)))=$(abspath \
                   $(lastword $(subst =, ,$(r)))),$(abspath $(r))))
hub: hub-env
	$(HUB_NEED_ROOT)
	@for r in $(HUB_ROSTER_ABS); do test -f "$${r#*=}" || { echo "make hub: no roster at $${r#*=} (see \
	hub/roster.example.csv; then sudo make roster HUB_ROSTER=\"$(HUB_ROSTER)\")" >&2; exit 1; }; done
	HUB_STATE=$(HUB_STATE) HUB_EXCHANGE=$(HUB_EXCHANGE) HUB_ROSTER="$(HUB_ROSTER_ABS)" HUB_IP=$(HUB_IP) \
	HUB_PORT=$(HUB_PORT) $(HUB_VENV)/bin/jupyterhub -f $(HUB_PREFIX)/etc/jupyterhub_config.py
