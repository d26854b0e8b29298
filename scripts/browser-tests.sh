#!/usr/bin/env bash
# The web console's browser tests (test/browser/): Debian's Chromium driven by playwright-core
# against a real gateway. Installs chromium with apt-get when it is missing (CI runs as root), then
# runs `npm run test:browser`; screenshots land in artifacts/console/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "chromium is missing: installing it with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# here a missing browser is a failure, not a skip
export REQUIRE_CHROMIUM=1
npm run test:browser
echo "screenshots: $(pwd)/artifacts/console/"
