# Shared by deploy/run and deploy/test: install what the build needs, then build.
# Sourced, not run. Expects to be called as root on Debian 12 (or with sudo available).

WIJKBOEK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WIJKBOEK_BUILD="${WIJKBOEK_BUILD:-$WIJKBOEK_ROOT/build}"

# Debian packages the build, the tests and the scripts use.
WIJKBOEK_PACKAGES=(
  cmake ninja-build ccache g++ pkg-config python3 procps
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  librocksdb-dev libssl-dev libboost-dev libspdlog-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev libhiredis-dev
)
# Only deploy/test: the browser the dashboard's tests drive (tests/e2e), and the peers the
# benchmark's smoke test starts (clients/bench/run --smoke).
WIJKBOEK_TEST_PACKAGES=(chromium postgresql redis-server redis-tools)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all ${#@} present"
    return
  fi
  log "Installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" </dev/null
}

# Node.js and npm build the dashboard (clients/web; Node >= 20.19). They may be installed outside
# dpkg (this machine kind has Node 20 and npm 11), so Debian's are installed only when missing.
install_node() {
  command -v node >/dev/null 2>&1 || install_packages nodejs
  command -v npm >/dev/null 2>&1 || install_packages npm
}

build_all() {
  local jobs
  install_node
  jobs="$(nproc)"
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  log "Configuring ($WIJKBOEK_BUILD)"
  cmake -S "$WIJKBOEK_ROOT" -B "$WIJKBOEK_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  log "Building with $jobs jobs"
  cmake --build "$WIJKBOEK_BUILD" -j "$jobs"
}
