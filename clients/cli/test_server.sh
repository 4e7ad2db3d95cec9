# Starts and stops a real wijkboekd for the CLI's end-to-end scripts. Sourced, not run.
#
# The sourcing script gets fail (prints and exits) and run (calls the CLI, output in $OUT) from
# test_harness.sh, and sets SERVER_BIN, TMP, DATA and TOKEN; these functions set SERVER_PID,
# WIJKBOEK_SERVER and HEAD. Nothing here sleeps to synchronise: every wait is a poll with a
# deadline.

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds or the deadline passes.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.05
  done
}

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || fail "wijkboekd exited early"; }
# grpc.addr counts once its line is complete (ends in a newline).
addr_written() { server_alive && [[ -f $DATA/grpc.addr ]] && [[ $(wc -l <"$DATA/grpc.addr") -ge 1 ]]; }
# A child that exited stays a zombie until `wait`; kill -0 still succeeds on it.
server_exited() {
  local state
  state=$(awk '{print $3}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo gone)
  [[ $state == Z || $state == gone ]]
}

# start_server [FLAGS...]: wijkboekd on $DATA with a free port (and any more flags, e.g. TLS);
# exports WIJKBOEK_SERVER once it serves.
start_server() {
  mkdir -p "$DATA"
  rm -f "$DATA/grpc.addr"
  "$SERVER_BIN" --data-dir "$DATA" --grpc-listen 127.0.0.1:0 "$@" >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  wait_for "$DATA/grpc.addr" 30 addr_written
  export WIJKBOEK_SERVER
  WIJKBOEK_SERVER=$(head -n 1 "$DATA/grpc.addr")
}

# stop_server: SIGTERM, and the server must exit 0 within 30 s.
stop_server() {
  kill -TERM "$SERVER_PID"
  wait_for "wijkboekd to exit" 30 server_exited
  local rc=0
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=
  [[ $rc -eq 0 ]] || fail "wijkboekd exited $rc after SIGTERM"
}

# read_head: sets HEAD to the log's head position.
read_head() {
  run 0 "${TOKEN[@]}" head
  HEAD=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1])).get("position", 0)))' "$OUT")
}
