# shellcheck shell=bash
# Sourced by the CI scripts that need a Python with certain modules, or start a process group of
# their own. The sourcing script defines `die` (its messages carry its name) before calling these.

# Sets PY to a python3 that runs $PY_CHECK without error: $PYTHON when set, else python3 or
# /usr/bin/python3. When none does and this runs as root with apt-get, installs DEBIAN_PACKAGES (the
# sourcing script's array) and looks again. $1 names what the check imports, for the messages.
ensure_python() {
  local needs=$1
  PY=""
  if ! _python_found; then
    [ -n "${PYTHON:-}" ] && die "PYTHON=$PYTHON cannot import $needs"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing Debian packages: ${DEBIAN_PACKAGES[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -q --no-install-recommends "${DEBIAN_PACKAGES[@]}" >/dev/null ||
        { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${DEBIAN_PACKAGES[@]}" >/dev/null; } ||
        die "apt-get could not install ${DEBIAN_PACKAGES[*]}"
    fi
    _python_found || die "no python3 can import $needs; install them
  (Debian: apt-get install --no-install-recommends ${DEBIAN_PACKAGES[*]}) or set PYTHON"
  fi
}

_python_found() {
  local c candidates=(python3 /usr/bin/python3)
  [ -n "${PYTHON:-}" ] && candidates=("$PYTHON")
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c "$PY_CHECK" >/dev/null 2>&1; then
      PY=$(command -v "$c")
      return 0
    fi
  done
  return 1
}

# Stops the process group $1 (a process started with setsid: npx, tsx and node stop together):
# TERM, up to 5 s for it to go, then KILL.
stop_group() {
  local pgid=$1
  [ -n "$pgid" ] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}
