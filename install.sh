#!/usr/bin/env bash
# One command installs everything: a virtual environment in .venv with the package, its extras
# (sentence-transformers backend, test tools, document import) and the bundled default encoder, then builds the index.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch first and pinned: the CPU build on local disk; anything else would pull several GB.
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e '.[st,slack,teams,test,import]'
# the desk's browser tests drive Debian's Chromium (never `playwright install`: nothing is downloaded at run time)
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    # a fresh machine may have no package lists yet: update them only when the first try fails
    { $SUDO apt-get install -y -q chromium || { $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium; }; } \
        || echo "chromium not installed: the desk's browser tests will skip"
fi
.venv/bin/conductbot index
echo "installed: run .venv/bin/conductbot chat"
