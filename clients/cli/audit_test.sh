#!/usr/bin/env bash
# End-to-end test of `wijkboek audit` against a real wijkboekd on a temp data dir, with the log
# damaged between runs by wijkboek-tamper (tests/tools/tamper.cc).
#
#   audit_test.sh PATH/TO/wijkboekd PATH/TO/wijkboek PATH/TO/wijkboek-tamper PROGRAMME.json
#
# Imports PROGRAMME.json, then: verify, head, export in both formats and verify-export (also with
# one character changed, and with no server at all); a changed byte in the database found by
# verify at its position; a rewritten-and-rehashed log that verifies in itself but fails against
# the head signed before. Set WIJKBOEK_CLI_TEST_KEEP=1 to keep the temp dir.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 WIJKBOEKD WIJKBOEK WIJKBOEK-TAMPER PROGRAMME.json" >&2
  exit 2
fi
SERVER_BIN=$1
CLI=$2
TAMPER=$3
PROGRAMME=$4
TMP=$(mktemp -d /tmp/wijkboek-audit-test.XXXXXX)
DATA=$TMP/data
SERVER_PID=
CLI_TIMEOUT=60

source "$(dirname "${BASH_SOURCE[0]}")/test_harness.sh"

check_json() {  # check_json FILE PYTHON_EXPR DESCRIPTION: `ev` is the list of JSON lines of FILE
  python3 - "$1" "$2" "$3" <<'EOF' || fail "$3"
import json, sys
path, expr, what = sys.argv[1:4]
ev = [json.loads(line) for line in open(path) if line.strip()]
if not eval(expr):
    print(f"check failed: {what}\n  expression: {expr}\n  got:", file=sys.stderr)
    for e in ev[:5]:
        print("   ", json.dumps(e)[:500], file=sys.stderr)
    sys.exit(1)
EOF
}

# tamper ARGS...: stops the server, damages its log, starts it again.
tamper() {
  stop_server
  "$TAMPER" "$DATA/log" "$@" || fail "wijkboek-tamper $* failed"
  start_server
}

source "$(dirname "${BASH_SOURCE[0]}")/test_server.sh"

step "start wijkboekd and import a programme"
start_server
unset WIJKBOEK_TOKEN
TOKEN=(--token-file "$DATA/admin.token")
run 0 "${TOKEN[@]}" import "$PROGRAMME"
read_head
[[ $HEAD -gt 100 ]] || fail "the programme gave only $HEAD events"
echo "head at position $HEAD"

step "help and usage"
run 0 audit --help
grep -q "Exit status" "$OUT" || fail "audit --help does not explain the exit status"
for command in verify verify-export head export; do
  run 0 audit "$command" --help
  grep -q "Example" "$OUT" || fail "audit $command --help shows no example"
done
run 2 "${TOKEN[@]}" audit export --format xml
run 2 "${TOKEN[@]}" audit verify --to $((HEAD + 1))
stderr_has "lies past the head" "--to past the head"
run 2 "${TOKEN[@]}" audit export --from $((HEAD + 1))
stderr_has "lies past the head" "--from past the head"
run 2 audit verify-export "$TMP/no-such-file"
run 2 "${TOKEN[@]}" --server 127.0.0.1:1 --timeout 5 audit verify
stderr_has "^wijkboek: (UNAVAILABLE|DEADLINE_EXCEEDED): " "unreachable server"

step "verify the intact log"
run 0 "${TOKEN[@]}" audit verify
check_json "$OUT" "ev[0]['ok'] is True and int(ev[0]['checked']) == $HEAD and int(ev[0]['to_position']) == $HEAD" \
  "verify checks every event"
stderr_has "intact: the log from position 1 to $HEAD" "verify says what it found"
run 0 "${TOKEN[@]}" audit verify --from 10 --to 20
check_json "$OUT" "int(ev[0]['checked']) == 11" "verify a range"

step "a signed head"
run 0 "${TOKEN[@]}" audit head
cp "$OUT" "$TMP/head.json"
check_json "$OUT" "int(ev[0]['position']) == $HEAD and len(ev[0]['key_id']) == 16 and ev[0]['signature']" \
  "the signed head is the head"

step "export (CloudEvents) and verify it offline, with no server and no token"
run 0 "${TOKEN[@]}" audit export
cp "$OUT" "$TMP/export.jsonl"
check_json "$TMP/export.jsonl" "len(ev) == $HEAD and [int(e['position']) for e in ev] == list(range(1, $HEAD + 1))" \
  "one line per event, in order"
check_json "$TMP/export.jsonl" "all(e['specversion'] == '1.0' and e['type'].startswith('wijkboek.v1.') and e['source'].startswith('wijkboek://') and e['datacontenttype'] == 'application/json' and e['envelope'] for e in ev)" \
  "CloudEvents attributes"
check_json "$TMP/export.jsonl" "all(ev[i]['prevhash'] == ev[i - 1]['hash'] for i in range(1, len(ev)))" \
  "the chain links"
stderr_has "exported $HEAD events, positions 1 to $HEAD" "export says what it wrote"
run 0 --server 127.0.0.1:1 audit verify-export "$TMP/export.jsonl" --since-head "$TMP/head.json"
check_json "$OUT" "ev[0]['ok'] is True and int(ev[0]['checked']) == $HEAD" "the export verifies"
stderr_has "extends the signed head at position $HEAD" "the export extends the signed head"
run 0 audit verify-export - <"$TMP/export.jsonl"

step "one character of the export changed: found offline at its position"
python3 - "$TMP/export.jsonl" "$TMP/changed.jsonl" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
line = lines[41]                       # position 42
at = line.index('"data":{') + len('"data":{') + 3
lines[41] = line[:at] + ("X" if line[at] != "X" else "Y") + line[at + 1:]
open(sys.argv[2], "w").write("\n".join(lines))
EOF
run 1 audit verify-export "$TMP/changed.jsonl"
check_json "$OUT" "ev[0].get('ok') is None and int(ev[0]['first_bad_position']) == 42 and int(ev[0]['checked']) == 41" \
  "the changed line is named"
stderr_has "BROKEN at position 42: line 42: " "verify-export names position and line"

step "export as json, a range, verifies too"
run 0 "${TOKEN[@]}" audit export --format json --from 10 --to 20
cp "$OUT" "$TMP/part.jsonl"
check_json "$TMP/part.jsonl" "[int(e['position']) for e in ev] == list(range(10, 21)) and all(e['envelope'] and e['event_id'] for e in ev)" \
  "the Event messages of positions 10 to 20"
run 0 audit verify-export "$TMP/part.jsonl"
run 1 audit verify-export "$TMP/part.jsonl" --since-head "$TMP/head.json"
stderr_has "not the signed head's position $HEAD" "a range without the signed head proves nothing"

step "one byte changed in the database: verify fails at exactly that position"
tamper flip 100 payload
run 1 "${TOKEN[@]}" audit verify
check_json "$OUT" "int(ev[0]['first_bad_position']) == 100 and int(ev[0]['checked']) == 99" \
  "verify names position 100"
stderr_has "^wijkboek: BROKEN at position 100: " "verify says where the log is broken"
run 0 "${TOKEN[@]}" audit export
cp "$OUT" "$TMP/damaged.jsonl"
run 1 audit verify-export "$TMP/damaged.jsonl"
stderr_has "BROKEN at position 100" "the export of the damaged log fails offline too"

step "a rewritten and rehashed log: consistent in itself, caught by the earlier signed head"
cp "$DATA/signed-heads.jsonl" "$TMP/published.jsonl"
tamper rewrite 50
run 0 "${TOKEN[@]}" audit verify
run 1 "${TOKEN[@]}" audit verify --since-head "$TMP/head.json"
check_json "$OUT" "int(ev[0]['first_bad_position']) == $HEAD" "the signed position is named"
stderr_has "rewritten at or before this position" "verify says the log was rewritten"
run 0 "${TOKEN[@]}" audit export
cp "$OUT" "$TMP/rewritten.jsonl"
run 0 audit verify-export "$TMP/rewritten.jsonl"
run 1 audit verify-export "$TMP/rewritten.jsonl" --since-head "$TMP/head.json"
stderr_has "rewritten at or before this position" "verify-export says the log was rewritten"
# The heads the server published itself before the rewrite catch it as well.
run 1 "${TOKEN[@]}" audit verify --since-head "$TMP/published.jsonl"

step "stop wijkboekd"
stop_server

echo "PASS: audit end-to-end"
