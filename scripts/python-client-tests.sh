#!/usr/bin/env bash
# Tests the Python client (clients/python) the way a user gets it: installs it with pip into a
# throw-away virtual environment WITHOUT a package index (`--no-index`: proves the install needs no
# network), then runs its pytest suite with that interpreter. Each pytest session starts its own
# gateway (node scripts/start.mjs on a free port, temporary DATA_DIR, demo content, SIM_SPEED=0).
# The 60-second unread-watch test (-m slow) runs in parallel with the rest, so the step takes about
# as long as that one test.
#
# Needs a Python 3 with requests, websocket-client, pytest and venv. If none has them, the Debian
# packages are installed (root and apt-get); set PYTHON to use a specific interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }
die() { printf '\npython-client-tests: %s\n' "$*" >&2; exit 1; }

DEBIAN_PACKAGES=(python3 python3-requests python3-websocket python3-pytest python3-venv)
# `websocket` must be websocket-client (create_connection), not the unrelated PyPI package `websocket`.
PY_CHECK='import requests, websocket, pytest, venv, ensurepip; websocket.create_connection'

# shellcheck source=lib/common.sh
. scripts/lib/common.sh

log "python"
ensure_python "requests, websocket (websocket-client), pytest and venv"
"$PY" -c 'import sys, websocket, requests, pytest; print(sys.executable, sys.version.split()[0], "websocket-client", websocket.__version__, "requests", requests.__version__, "pytest", pytest.__version__)'

WORK=$(mktemp -d "${TMPDIR:-/tmp}/spokegraph-pyclient.XXXXXX")
PIDS=()
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "pip install --no-index ./clients/python (into a fresh venv)"
"$PY" -m venv --system-site-packages "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --no-index --disable-pip-version-check ./clients/python
VPY="$WORK/venv/bin/python"
"$VPY" -c 'import spokegraph; print("installed", spokegraph.__version__, "at", spokegraph.__file__)'

log "gateway bundle"
# Both pytest sessions run `node scripts/start.mjs`; bundling once here keeps them from racing on dist/.
npm run -s build

log "pytest (the 60 s unread-watch test in parallel with the rest)"
export PYTHONDONTWRITEBYTECODE=1
start=$SECONDS
"$VPY" -m pytest clients/python/tests -p no:cacheprovider -m slow -v -rs >"$WORK/slow.log" 2>&1 &
PIDS+=($!)
"$VPY" -m pytest clients/python/tests -p no:cacheprovider -m "not slow" -v -rs >"$WORK/rest.log" 2>&1 &
PIDS+=($!)
rc_slow=0; rc_rest=0
wait "${PIDS[0]}" || rc_slow=$?
wait "${PIDS[1]}" || rc_rest=$?
PIDS=()
log "pytest -m 'not slow' (exit $rc_rest)"
cat "$WORK/rest.log"
log "pytest -m slow (exit $rc_slow)"
cat "$WORK/slow.log"
echo "-- pytest took $((SECONDS - start)) s"
# exit 5 (no tests collected) is a failure here too: both selections must run something
[ "$rc_slow" -eq 0 ] && [ "$rc_rest" -eq 0 ] || die "python client tests failed (slow: $rc_slow, rest: $rc_rest)"
log "python client tests passed"
