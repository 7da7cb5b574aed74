#!/usr/bin/env bash
# Yichuang developer entry point. On a fresh Debian 12 machine, as root:
#   ./dev.sh demo    install everything, then run the whole hall (headless when there is no display)
#   ./dev.sh test    install everything, then lint, type-check and run the test suite
#   ./dev.sh setup   only install (Debian packages, .venv from requirements.lock, the project)
#   ./dev.sh lock    regenerate requirements.lock after a change to setup.cfg's dependencies
#   ./dev.sh wheel   build the release into dist/: the wheel, the requirements.lock to install it
#                    with, and deploy/ (systemd units, udev rules, the deployment guide)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
VENV=$ROOT/.venv
LOCK=$ROOT/requirements.lock
# The tool that writes the lock, itself pinned: the same inputs give the same lock.
UV_VERSION=0.13.9

APT_PACKAGES=(
  python3 python3-venv python3-dev gcc make git
  systemd systemd-container udev cage xwayland  # tests/deploy: units booted, rules read
  socat pcscd vsmartcard-vpcd libpcsclite-dev libpcsclite1 pcsc-tools swig
  espeak-ng sox fonts-wqy-microhei
  chromium
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
)

need_apt() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 0
  done
  return 1
}

setup() {
  if need_apt; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "dev.sh: Debian packages are missing; run as root or: sudo apt-get install ${APT_PACKAGES[*]}" >&2
      exit 1
    fi
    echo "== installing Debian packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  fi
  make_venv
  local stamp=$VENV/.setup-stamp
  if [ ! -f "$stamp" ] || [ "$LOCK" -nt "$stamp" ] || [ setup.cfg -nt "$stamp" ] \
      || [ pyproject.toml -nt "$stamp" ]; then
    # Every dependency at the version and hash the lock names, whatever the registry
    # serves today; then the project itself, with nothing more.
    echo "== pip install --require-hashes -r requirements.lock"
    "$VENV/bin/pip" install -q --require-hashes -r "$LOCK"
    echo "== pip install --no-deps -e ."
    "$VENV/bin/pip" install -q --no-deps --no-build-isolation -e .
    touch "$stamp"
  fi
}

make_venv() {
  local py=${PYTHON:-python3}
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    "$py" -m venv "$VENV"
  fi
}

# requirements.lock: setup.cfg's dependencies with the test extra, and the build backend
# (pyproject.toml's build-system), pinned with hashes for every platform and Python >= 3.11.
lock() {
  make_venv
  if [ "$("$VENV/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    "$VENV/bin/pip" install -q "uv==$UV_VERSION"
  fi
  local build
  build=$("$VENV/bin/python" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')
  echo "== writing requirements.lock"
  printf '%s\n' "$build" | "$VENV/bin/uv" pip compile setup.cfg - --extra test \
    --generate-hashes --universal --python-version 3.11 --quiet \
    --custom-compile-command "./dev.sh lock" -o "$LOCK"
}

# A release: the wheel and the lock it is installed with (README, "A hall, from a release
# wheel"). setuptools' build/ keeps what an earlier build put there, so a module deleted
# since would ship: every release is built from none.
release() {
  local out=${1:-dist}
  rm -rf build ./*.egg-info
  mkdir -p "$out"
  "$VENV/bin/pip" wheel -q --no-deps --no-build-isolation . -w "$out"
  rm -rf build
  cp "$LOCK" "$out/requirements.lock"
  # the service files and their guide: a hall's IT person installs from these, not a clone
  rm -rf "$out/deploy" && cp -r deploy "$out/deploy" && cp docs/deploy.md "$out/deploy/"
  echo "== $out: $(cd "$out" && echo yichuang-*.whl) requirements.lock deploy/"
}

lint() {
  echo "== ruff"
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  echo "== mypy"
  "$VENV/bin/mypy"
  echo "== import-linter"
  "$VENV/bin/lint-imports"
}

run_tests() {
  export QT_QPA_PLATFORM=offscreen
  # vpcd (the virtual smart-card reader the PC/SC tests start) listens on TCP 35963-35964,
  # inside Linux's ephemeral range: keep the kernel from handing those ports to the
  # suite's own client sockets, whose TIME_WAIT would stop vpcd from binding (as root).
  if [ "$(id -u)" = 0 ] && [ -w /proc/sys/net/ipv4/ip_local_reserved_ports ]; then
    local reserved
    reserved=$(cat /proc/sys/net/ipv4/ip_local_reserved_ports)
    case ",$reserved," in
      *,35963-35964,*) ;;
      *) echo "${reserved:+$reserved,}35963-35964" > /proc/sys/net/ipv4/ip_local_reserved_ports ;;
    esac
  fi
  echo "== pytest"
  local rc=0
  "$VENV/bin/pytest" "$@" || rc=$?
  # pytest exits 5 when it collected nothing; that is never intended here.
  return $rc
}

cmd=${1:-help}
shift || true
case "$cmd" in
  setup) setup ;;
  lock) lock ;;
  wheel) setup; release "$@" ;;
  test) setup; lint; run_tests "$@" ;;
  pytest) setup; run_tests "$@" ;;
  lint) setup; lint ;;
  demo)
    setup
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "== no display: running the headless demo into ./out/demo"
      exec "$VENV/bin/hall" demo --headless --out out/demo "$@"
    fi
    exec "$VENV/bin/hall" demo "$@"
    ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac
