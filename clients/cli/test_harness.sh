# What the CLI's end-to-end scripts share: cleanup on exit, failing with the server log's tail,
# steps, and running the CLI with its exit status checked. Sourced, not run.
#
# The sourcing script sets CLI (the wijkboek binary), TMP (its temp dir), CLI_TIMEOUT (seconds
# any one CLI call may take) and SERVER_PID (empty until test_server.sh starts the server). Set
# WIJKBOEK_CLI_TEST_KEEP=1 to keep TMP.

cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ ${WIJKBOEK_CLI_TEST_KEEP:-0} == 1 ]]; then
    echo "kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [[ -f $TMP/server.log ]]; then
    echo "--- last lines of the server log:" >&2
    tail -n 30 "$TMP/server.log" >&2 || true
  fi
  exit 1
}

step() { echo "== $*"; }

# run WANT_RC ARGS...: runs the CLI (stdin passed through); stdout to $OUT, stderr to $ERR. A call
# that exits otherwise, or takes longer than CLI_TIMEOUT, fails the test.
OUT=$TMP/out
ERR=$TMP/err
run() {
  local want=$1
  shift
  local rc=0
  timeout "$CLI_TIMEOUT" "$CLI" "$@" >"$OUT" 2>"$ERR" || rc=$?
  if [[ $rc -ne $want ]]; then
    fail "wijkboek $* exited $rc, want $want; stdout: $(head -c 2000 "$OUT"); stderr: $(head -c 2000 "$ERR")"
  fi
}

stderr_has() {  # stderr_has REGEX DESCRIPTION
  grep -Eq -- "$1" "$ERR" || fail "$2: stderr does not match /$1/: $(head -c 2000 "$ERR")"
}
