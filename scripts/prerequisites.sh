#!/bin/sh
# What `make run` (or `make test`) needs on this machine, checked before anything is installed.
# One line per missing piece, with how to get it on Debian/Ubuntu and on macOS; exit 1 when a
# required piece is missing. Optional pieces say what is skipped without them.
# Usage: scripts/prerequisites.sh run|test   (PYTHON names the interpreter, python3 by default)
set -u
goal=${1:-run}
python=${PYTHON:-python3}
missing=0

need() {  # a required piece is missing
    echo "missing: $1"
    missing=1
}
optional() {  # an optional piece is missing: say what goes without it
    echo "optional: $1"
}

if ! command -v "$python" >/dev/null 2>&1; then
    need "Python 3.11 or newer ($python not found) — Debian/Ubuntu: sudo apt-get install python3 python3-venv; macOS: brew install python@3.12"
elif ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    found=$("$python" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))' 2>/dev/null)
    need "Python 3.11 or newer (found $found) — Debian/Ubuntu: sudo apt-get install python3 python3-venv (Debian 12 / Ubuntu 24.04 have it); macOS: brew install python@3.12; or run make with PYTHON=python3.12"
elif ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    need "Python's venv module — Debian/Ubuntu: sudo apt-get install python3-venv; macOS: included with brew's python"
fi

if ! command -v npm >/dev/null 2>&1; then
    need "npm, which installs the design tokens the pages use (and axe-core for the browser tests) — Debian/Ubuntu: sudo apt-get install npm; macOS: brew install node"
fi

if [ "$goal" = test ]; then
    if ! command -v pg_isready >/dev/null 2>&1 || ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
        line="PostgreSQL 15 answering at 127.0.0.1:5432 (user postgres, trust auth) — Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@15 && brew services start postgresql@15"
        if [ "${REQUIRE_POSTGRES:-0}" = 1 ]; then need "$line"; else optional "$line: without it the PostgreSQL half of the suite is skipped"; fi
    fi
    if [ ! -x /usr/bin/chromium ]; then
        line="Chromium at /usr/bin/chromium with a Japanese font — Debian/Ubuntu: sudo apt-get install chromium fonts-ipafont-gothic; macOS: not supported by the browser tests"
        if [ "${REQUIRE_BROWSER:-0}" = 1 ]; then need "$line"; else optional "$line: without it the browser tests are skipped"; fi
    fi
    if ! command -v faketime >/dev/null 2>&1; then
        optional "faketime, for make test-anyday (the suite on another date) — Debian/Ubuntu: sudo apt-get install faketime; macOS: brew install libfaketime"
    fi
fi

if [ "$missing" = 1 ]; then
    echo "make $goal stopped: install what is missing above, then run it again."
    exit 1
fi
exit 0
