#!/usr/bin/env bash
# API-server conformance of the simulated hub, checked by clients nobody here wrote: starts
# src/sim/standalone.ts on a free port with a throw-away kubeconfig, runs test/conformance with
# pytest (the Python `kubernetes` client and kubectl), stops what it started and prints the
# behaviour table (behaviour x client). Exits non-zero when a behaviour fails or is exercised by
# no client. See test/conformance/BEHAVIOURS.md.
#
# Needs a python3 that can import kubernetes and pytest (Debian: python3-kubernetes python3-pytest;
# installed with apt-get when running as root and none is found; or set PYTHON) and kubectl on
# PATH (or KUBECTL). kubectl >= 1.32 sends protobuf bodies: if the kubectl found is older, a
# kubectl.1.3x next to it is used for that behaviour (or set KUBECTL_PROTOBUF).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }
die() { printf '\nconformance: %s\n' "$*" >&2; exit 1; }

DEBIAN_PACKAGES=(python3 python3-kubernetes python3-pytest)
PY_CHECK='import kubernetes, pytest'
# shellcheck source=lib/common.sh
. scripts/lib/common.sh

log "clients"
ensure_python "kubernetes and pytest"
echo "$PY ($("$PY" -c 'import sys, kubernetes, pytest; print(sys.version.split()[0], "kubernetes", kubernetes.__version__, "pytest", pytest.__version__)'))"

KUBECTL=${KUBECTL:-kubectl}
command -v "$KUBECTL" >/dev/null || die "kubectl not found (install it or set KUBECTL)"
kubectl_minor() { "$1" version --client -o json 2>/dev/null | "$PY" -c 'import json, sys; print(int(json.load(sys.stdin)["clientVersion"]["minor"].rstrip("+")))' 2>/dev/null || echo 0; }
if [ -z "${KUBECTL_PROTOBUF:-}" ]; then
  if [ "$(kubectl_minor "$KUBECTL")" -ge 32 ]; then
    KUBECTL_PROTOBUF=$(command -v "$KUBECTL")
  else
    # Some distributions (the Google Cloud SDK's kubectl dispatcher) ship versioned binaries beside it.
    for c in $(ls -1 "$(dirname "$(readlink -f "$(command -v "$KUBECTL")")")"/kubectl.1.* 2>/dev/null | sort -V -r); do
      if [ "$(kubectl_minor "$c")" -ge 32 ]; then KUBECTL_PROTOBUF=$c; break; fi
    done
  fi
fi
echo "kubectl: $(command -v "$KUBECTL") ($("$KUBECTL" version --client 2>/dev/null | head -n1)); protobuf bodies: ${KUBECTL_PROTOBUF:-none found (that behaviour is skipped)}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/spokegraph-conformance.XXXXXX")
SIM_PGID=""
stop_sim() {
  stop_group "$SIM_PGID"
  SIM_PGID=""
}
cleanup() {
  local rc=$?
  stop_sim
  if [ "$rc" -ne 0 ] && [ -s "$WORK/sim.log" ]; then
    printf '\n== simulated hub log (last 30 lines)\n' >&2
    tail -n 30 "$WORK/sim.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "simulated hub"
SIM_SPEED=0 LOG_LEVEL=warn setsid node --import tsx src/sim/standalone.ts --port 0 --kubeconfig "$WORK/kubeconfig" >"$WORK/sim.out" 2>"$WORK/sim.log" </dev/null &
SIM_PGID=$!
for _ in $(seq 1 100); do
  [ -s "$WORK/sim.out" ] && break
  kill -0 "$SIM_PGID" 2>/dev/null || die "the simulated hub exited during start"
  sleep 0.1
done
[ -s "$WORK/sim.out" ] || die "the simulated hub did not start within 10 s"
cat "$WORK/sim.out"

log "conformance suites (Python client, kubectl)"
start=$SECONDS
status=0
CONFORMANCE_KUBECONFIG="$WORK/kubeconfig" CONFORMANCE_REPORT="$WORK/report.json" KUBECTL="$KUBECTL" KUBECTL_PROTOBUF="${KUBECTL_PROTOBUF:-}" \
  PYTHONDONTWRITEBYTECODE=1 "$PY" -m pytest -q -p no:cacheprovider --rootdir test/conformance test/conformance || status=$?
echo "conformance suites took $((SECONDS - start)) s"
exit "$status"
