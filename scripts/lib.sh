# Shared set-up steps for scripts/run and scripts/test. Sourced, not run.
# Everything here is idempotent: a step that finds its work done returns at once.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# Debian/Ubuntu packages the app, its build and its tests need.
APT_RUN=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libayatana-appindicator3-dev
         librsvg2-dev libxdo-dev file libdbus-1-dev postgresql)
APT_TEST=(xvfb xauth webkit2gtk-driver dbus-x11 dbus-user-session gnome-keyring libsecret-tools imagemagick
          pgbouncer)

install_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # PostgreSQL binaries already present (any version) are enough.
  if [[ " ${missing[*]:-} " == *" postgresql "* ]] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing=("${missing[@]/postgresql}")
  fi
  local wanted=()
  for p in "${missing[@]:-}"; do [ -n "$p" ] && wanted+=("$p"); done
  [ ${#wanted[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found: install by hand: ${wanted[*]}"
  log "installing system packages: ${wanted[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
  # The Debian postgresql package starts a system cluster we do not use.
  if [[ " ${wanted[*]} " == *" postgresql "* ]]; then
    as_root service postgresql stop >/dev/null 2>&1 || true
  fi
  # Nor a system pgbouncer: the tests start their own.
  if [[ " ${wanted[*]} " == *" pgbouncer "* ]]; then
    as_root service pgbouncer stop >/dev/null 2>&1 || true
  fi
}

check_toolchains() {
  command -v cargo >/dev/null || die "Rust is not installed: see https://rustup.rs (then rerun)"
  command -v npm >/dev/null || die "Node.js 20+ and npm are not installed (apt-get install nodejs npm, or nodesource)"
}

install_ui_deps() {
  cd "$ROOT/ui"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing UI packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  cd "$ROOT"
}

build_ui() {
  log "building the UI (ui/dist)"
  (cd "$ROOT/ui" && npm run --silent build >/dev/null)
}

# Runs "$@" with a private, unlocked OS keychain (a Secret Service from
# gnome-keyring on its own D-Bus session, in a throwaway HOME), so the
# vault's os-keychain keys and profile passwords are tested for real.
# ECO_REQUIRE_KEYCHAIN=1 makes the keychain tests fail instead of skip if
# it does not answer.
with_keychain() {
  command -v dbus-run-session >/dev/null || die "dbus-run-session missing: apt-get install dbus dbus-user-session"
  command -v gnome-keyring-daemon >/dev/null || die "gnome-keyring-daemon missing: apt-get install gnome-keyring"
  local home
  home="$(mktemp -d /tmp/eco-keychain-XXXXXX)"
  mkdir -m 700 "$home/run"
  CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" \
    npm_config_cache="${npm_config_cache:-$HOME/.npm}" \
    HOME="$home" XDG_RUNTIME_DIR="$home/run" ECO_REQUIRE_KEYCHAIN=1 \
    dbus-run-session -- sh -c \
      'printf %s eco-studio-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' \
      sh "$@"
  local status=$?
  rm -rf "$home"
  return "$status"
}
