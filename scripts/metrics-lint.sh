#!/usr/bin/env bash
# Lints what /metrics serves with Prometheus' own linter: boots the gateway (in-memory SQLite,
# simulated hub at full speed) on a free port, makes one authenticated and one refused GraphQL
# request so the labelled series exist, scrapes /metrics and runs `promtool check metrics`, which
# must report nothing. Installs Debian's `prometheus` (it ships promtool) when promtool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null; then
  echo "promtool is missing: installing Debian's prometheus package with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
TOKEN="sg_metrics_lint_$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')"
LOG=$(mktemp)
OUT=$(mktemp)
PORT=$PORT HOST=127.0.0.1 DATABASE_URL=sqlite::memory: SIM_SPEED=0 SEED_DEMO=false LOG_FORMAT=json \
  BOOTSTRAP_ADMIN_TOKEN=$TOKEN node --import tsx src/main.ts >"$LOG" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$LOG" "$OUT"; }
trap cleanup EXIT

BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$LOG"; echo "metrics-lint: the gateway exited" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "$BASE/readyz" >/dev/null || { cat "$LOG"; echo "metrics-lint: the gateway never became ready" >&2; exit 1; }

q='{"query":"query MetricsLint { viewer { isPlatformAdmin } }"}'
curl -fsS -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d "$q" "$BASE/graphql" >/dev/null
curl -sS -o /dev/null -H 'content-type: application/json' -H 'authorization: Bearer sg_wrong' -d "$q" "$BASE/graphql"

curl -fsS "$BASE/metrics" >"$OUT"
echo "scraped $(grep -c '^# TYPE' "$OUT") metric families from /metrics"
problems=$(promtool check metrics <"$OUT" 2>&1 || true)
if [ -n "$problems" ]; then
  echo "$problems"
  echo "metrics-lint: promtool check metrics reported problems" >&2
  exit 1
fi
echo "promtool check metrics: 0 problems"
