# Shared by deploy/run and deploy/test: install what the build needs, then build.
# Sourced, not run. Expects to be called as root on Debian 12 (or with sudo available).

WIJKBOEK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WIJKBOEK_BUILD="${WIJKBOEK_BUILD:-$WIJKBOEK_ROOT/build}"

# Debian packages the build, the tests and the scripts use.
WIJKBOEK_PACKAGES=(
  cmake ninja-build ccache g++ pkg-config python3 procps openssl
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  librocksdb-dev libssl-dev libboost-dev libspdlog-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev libhiredis-dev
)
# Only deploy/test: the browser the dashboard's tests drive (tests/e2e), and the peers the
# benchmark's smoke test starts (clients/bench/run --smoke).
WIJKBOEK_TEST_PACKAGES=(chromium postgresql redis-server redis-tools)
# deploy/test and deploy/fuzz: clang and its runtimes (libFuzzer, ASan, UBSan) for tests/fuzz.
WIJKBOEK_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

WIJKBOEK_ASAN_BUILD="${WIJKBOEK_ASAN_BUILD:-$WIJKBOEK_ROOT/build-asan}"
WIJKBOEK_FUZZ_BUILD="${WIJKBOEK_FUZZ_BUILD:-$WIJKBOEK_ROOT/build-fuzz}"
WIJKBOEK_FUZZERS=(fuzz_request_validation fuzz_import fuzz_export_verifier fuzz_storage_recovery)

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

# build_in DIR WHAT TARGET CMAKE_ARGS...: configures DIR with the arguments, then builds TARGET
# (all: everything) with one job per core.
build_in() {
  local dir="$1" what="$2" target="$3"
  shift 3
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  log "Configuring $what ($dir)"
  cmake -S "$WIJKBOEK_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  log "Building $what with $(nproc) jobs"
  cmake --build "$dir" -j "$(nproc)" --target "$target"
}

build_all() {
  install_node
  build_in "$WIJKBOEK_BUILD" everything all -DCMAKE_BUILD_TYPE=RelWithDebInfo
}

# The unit and integration tests built with AddressSanitizer and UndefinedBehaviorSanitizer (g++),
# without the dashboard: its browser tests are not run there. -O1, as the sanitizers advise: the
# build is much faster than at -O2 and the reports stay exact.
build_sanitized() {
  build_in "$WIJKBOEK_ASAN_BUILD" "the tests with -fsanitize=address,undefined" all \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-O1 -g1" -DCMAKE_CXX_FLAGS="-O1 -g1" \
    -DWIJKBOEK_SANITIZE=ON -DWIJKBOEK_WEB=OFF
}

# The environment the sanitized tests run in: the leak suppressions (each with its reason, in
# tests/sanitizers/lsan.supp) and stack traces for undefined behaviour. By hand:
#   (source deploy/lib.sh && sanitizer_env && cd build-asan && ctest -L 'unit|integration')
sanitizer_env() {
  export LSAN_OPTIONS="suppressions=$WIJKBOEK_ROOT/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
}

# The libFuzzer targets (tests/fuzz), with clang: -O1 and line tables keep the build short and the
# stack traces readable.
build_fuzzers() {
  build_in "$WIJKBOEK_FUZZ_BUILD" "the fuzz targets with clang" fuzzers \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_C_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
    -DWIJKBOEK_FUZZ=ON -DWIJKBOEK_WEB=OFF
}

# run_fuzzer TARGET SECONDS [JOBS]: fuzzes TARGET for SECONDS (per job). New inputs go to
# $WIJKBOEK_FUZZ_BUILD/corpus/TARGET (the committed seeds in tests/fuzz/corpus/TARGET are read,
# never written); a crashing input is saved in $WIJKBOEK_FUZZ_BUILD/findings/TARGET/ and the
# function fails.
run_fuzzer() {
  local target="$1" seconds="$2" jobs="${3:-1}" max_len extra=()
  local corpus="$WIJKBOEK_FUZZ_BUILD/corpus/$target" findings="$WIJKBOEK_FUZZ_BUILD/findings/$target"
  case "$target" in
    # 64 edits of 8 bytes; at tens of inputs a second, start with whole lists of edits at once.
    fuzz_storage_recovery) max_len=512 extra=(-len_control=0) ;;
    fuzz_request_validation) max_len=4096 ;;
    *) max_len=16384 ;;
  esac
  mkdir -p "$corpus" "$findings"
  log "Fuzzing $target for ${seconds}s ($jobs job(s))"
  local args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=30 -rss_limit_mb=2048
              -artifact_prefix="$findings/" -print_final_stats=1 "${extra[@]}")
  if ((jobs > 1)); then
    args+=(-jobs="$jobs" -workers="$jobs")
  fi
  # Runs in the findings directory: with -jobs libFuzzer writes its fuzz-<n>.log files there.
  (cd "$findings" && "$WIJKBOEK_FUZZ_BUILD/bin/$target" "${args[@]}" \
    "$corpus" "$WIJKBOEK_ROOT/tests/fuzz/corpus/$target")
}
