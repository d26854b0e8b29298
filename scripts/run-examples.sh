#!/usr/bin/env bash
# Runs the client examples (examples/deploy.ts and examples/deploy.ipynb) against a real gateway, so
# they cannot rot: starts `npx tsx src/main.ts` on a free port with a throw-away DATA_DIR and the
# simulated hub at full speed, waits for /readyz, runs
#   1. the TypeScript example (creates SHARED pool ci-ts, deploys onto it),
#   2. the notebook, headless with nbclient (creates its own pool ci-notebook, deploys onto it),
#   3. the TypeScript example again (reuses ci-ts: a repeated run must work too),
# then stops the gateway (also on failure or Ctrl-C) and exits non-zero if anything failed.
#
# The notebook uses the Python client in clients/python (on PYTHONPATH here, so the sources of this
# checkout are what runs; scripts/python-client-tests.sh tests the pip-installed package).
# It needs a Python 3 with requests, websocket-client, nbclient and ipykernel. If no
# interpreter has them, the Debian packages are installed (needs root and apt-get); set PYTHON to
# use a specific interpreter instead. No network access is needed beyond that install.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }
die() { printf '\nrun-examples: %s\n' "$*" >&2; exit 1; }

DEBIAN_PACKAGES=(python3 python3-requests python3-websocket python3-nbclient python3-ipykernel)
# `websocket` must be websocket-client (create_connection), not the unrelated PyPI package `websocket`.
PY_CHECK='import requests, websocket, nbformat, nbclient, ipykernel; websocket.create_connection'

# shellcheck source=lib/common.sh
. scripts/lib/common.sh

log "python for the notebook"
ensure_python "requests, websocket (websocket-client), nbformat, nbclient and ipykernel"
echo "$PY ($("$PY" -c 'import sys, websocket, nbclient; print(sys.version.split()[0], "websocket-client", websocket.__version__, "nbclient", nbclient.__version__)'))"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/spokegraph-examples.XXXXXX")
GATEWAY_PGID=""
stop_gateway() {
  stop_group "$GATEWAY_PGID"
  GATEWAY_PGID=""
}
cleanup() {
  local rc=$?
  stop_gateway
  if [ "$rc" -ne 0 ] && [ -s "$WORK/gateway.log" ]; then
    printf '\n== gateway log (last 40 lines)\n' >&2
    tail -n 40 "$WORK/gateway.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "gateway"
PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
TOKEN="examples-ci-$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')"
mkdir -p "$WORK/data"
DATA_DIR="$WORK/data" PORT="$PORT" HOST=127.0.0.1 BOOTSTRAP_ADMIN_TOKEN="$TOKEN" SIM_SPEED=0 WORKFLOW_POLL_MS=100 \
  LOG_LEVEL=warn LOG_FORMAT=text setsid npx tsx src/main.ts >"$WORK/gateway.log" 2>&1 </dev/null &
GATEWAY_PGID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$GATEWAY_PGID" 2>/dev/null || die "the gateway exited during start"
  sleep 0.5
done
curl -fsS "$BASE/readyz" >/dev/null || die "the gateway is not ready after 60 s"
echo "ready on $BASE/graphql ($SECONDS s since the script started)"

export SPOKEGRAPH_URL="$BASE/graphql" SPOKEGRAPH_TOKEN="$TOKEN"
failed=()
run() {
  local name=$1
  shift
  log "$name"
  local start=$SECONDS
  if "$@"; then
    echo "-- $name: ok ($((SECONDS - start)) s)"
  else
    echo "-- $name: FAILED ($((SECONDS - start)) s)"
    failed+=("$name")
  fi
}

run_notebook() {
  # nbclient runs the notebook's "python3" kernel; a kernelspec on JUPYTER_PATH pins it to $PY
  # (whatever `python3` is first on PATH might lack requests or websocket-client).
  mkdir -p "$WORK/kernels/python3"
  printf '{"argv": ["%s", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python 3", "language": "python"}\n' \
    "$PY" >"$WORK/kernels/python3/kernel.json"
  # SPOKEGRAPH_PROGRESS=text: the client prints one line per event (read as the CI log) even where
  # ipywidgets is installed (its progress widget has no one to show it to here).
  SPOKEGRAPH_PROGRESS=text JUPYTER_PATH="$WORK" PYTHONPATH="$PWD/clients/python${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
    PYDEVD_DISABLE_FILE_VALIDATION=1 timeout 600 "$PY" - examples/deploy.ipynb "$WORK/deploy.executed.ipynb" <<'EOF'
import sys
import nbformat
from nbclient import NotebookClient

src, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": "examples"}})
try:
    client.execute()  # raises CellExecutionError (with the cell and its traceback) if a cell raises
finally:
    nbformat.write(nb, out)
    # Show what the notebook printed, cell by cell, as a reader of the executed notebook would see it.
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                sys.stdout.write(o.get("text", ""))
            elif o.get("output_type") == "error":
                sys.stdout.write("%s: %s\n" % (o.get("ename"), o.get("evalue")))
    sys.stdout.flush()
EOF
}

SPOKEGRAPH_POOL=ci-ts run "examples/deploy.ts" timeout 300 npx tsx examples/deploy.ts
SPOKEGRAPH_POOL=ci-notebook run "examples/deploy.ipynb" run_notebook
SPOKEGRAPH_POOL=ci-ts run "examples/deploy.ts (again, same pool)" timeout 300 npx tsx examples/deploy.ts

stop_gateway
if [ "${#failed[@]}" -gt 0 ]; then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "examples passed"
