#!/usr/bin/env bash
# End-to-end test of the `wijkboek` CLI against a real wijkboekd on a temp data dir.
#
#   cli_test.sh PATH/TO/wijkboekd PATH/TO/wijkboek
#
# Starts the server with --grpc-listen 127.0.0.1:0, waits for DATA/grpc.addr, drives every
# command, checks output (JSON parsed with python3), exit codes and error messages, then stops the
# server with SIGTERM and expects exit 0. Then restarts it on the same data with TLS and with
# mutual TLS (certificates from deploy/make-test-certs, which needs `openssl`) and checks --tls-ca,
# --tls-cert/--tls-key, the WIJKBOEK_TLS_* variables and the hints. Set WIJKBOEK_CLI_TEST_KEEP=1 to
# keep the temp dir.
#
# The server enforces the programme's rules on write (services/domain/README.md), so the log starts
# with a seed the later events refer to. A fresh log holds the server's bootstrap admin (2
# events); with the seed (pillars, the action's goal, its owner) that makes SEED events at
# positions 1..SEED; positions after that are checked relative to it (S in check_json).
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 WIJKBOEKD WIJKBOEK" >&2
  exit 2
fi
SERVER_BIN=$1
CLI=$2
TMP=$(mktemp -d /tmp/wijkboek-cli-test.XXXXXX)
DATA=$TMP/data
SERVER_PID=
CLI_TIMEOUT=30  # no single CLI call may take longer; a hang fails the test instead of blocking it

source "$(dirname "${BASH_SOURCE[0]}")/test_harness.sh"

# check_json FILE PYTHON_EXPR DESCRIPTION: `ev` is the list of JSON objects, one per line of FILE;
# `S` is $SEED, the number of seed events.
SEED=0
check_json() {
  python3 - "$1" "$2" "$3" "$SEED" <<'EOF' || fail "$3"
import json, re, sys
path, expr, what = sys.argv[1:4]
S = int(sys.argv[4])
ev = [json.loads(line) for line in open(path) if line.strip()]
def pos(e): return int(e.get("position", 0))
def rev(e): return int(e.get("stream_revision", 0))
if not eval(expr):
    print(f"check failed: {what}\n  expression: {expr}\n  got:", file=sys.stderr)
    for e in ev[:10]:
        print("   ", json.dumps(e), file=sys.stderr)
    sys.exit(1)
EOF
}


source "$(dirname "${BASH_SOURCE[0]}")/test_server.sh"

step "start wijkboekd"
start_server
[[ -s $DATA/admin.token ]] || fail "no $DATA/admin.token"
unset WIJKBOEK_TOKEN
TOKEN=(--token-file "$DATA/admin.token")
echo "server at $WIJKBOEK_SERVER"

step "help and usage"
run 0 --help
grep -q "Example" "$OUT" || fail "--help shows no example"
grep -q -- "--tls-ca" "$OUT" || fail "--help does not explain --tls-ca"
run 0 append --help
grep -q "event_id" "$OUT" || fail "append --help does not explain event ids"
run 2 "${TOKEN[@]}" append --stream x --expected sometimes </dev/null
run 2 "${TOKEN[@]}" frobnicate

step "head of a fresh log: the bootstrap admin"
read_head
[[ $HEAD -eq 2 ]] || fail "a fresh log has position $HEAD, want 2 (principal admin and its token)"

step "missing and wrong token"
rc=0
timeout "$CLI_TIMEOUT" env -u WIJKBOEK_TOKEN "$CLI" head >"$OUT" 2>"$ERR" || rc=$?
[[ $rc -ne 0 ]] || fail "head without a token succeeded"
stderr_has "--token-file" "missing token"
stderr_has "WIJKBOEK_TOKEN" "missing token"
WIJKBOEK_TOKEN=not-the-token run 1 head
stderr_has "^wijkboek: UNAUTHENTICATED: " "wrong token"
WIJKBOEK_TOKEN=$(cat "$DATA/admin.token") run 0 head  # the env var holds the token itself

step "seed: the pillars, goal and partner the events below refer to"
printf '%s\n' \
  '{"payload":{"pillar_defined":{"pillar_id":"jeugd-en-onderwijs","name":"Jeugd en onderwijs"}}}' \
  '{"payload":{"goal_defined":{"pillar_id":"jeugd-en-onderwijs","goal_id":"jo-leerachterstanden-ingelopen","title":"Leerachterstanden ingelopen"}}}' |
  run 0 "${TOKEN[@]}" append --stream pillar-jeugd-en-onderwijs --expected no-stream
printf '%s\n' '{"payload":{"pillar_defined":{"pillar_id":"ontmoeting","name":"Ontmoeting"}}}' |
  run 0 "${TOKEN[@]}" append --stream pillar-ontmoeting --expected no-stream
printf '%s\n' '{"payload":{"partner_joined":{"partner_id":"bibliotheek","name":"Bibliotheek Noord","sector":"cultuur","occurred_on":"2024-01-15"}}}' |
  run 0 "${TOKEN[@]}" append --stream partner-bibliotheek --expected no-stream
SEED=6
check_json "$OUT" 'len(ev) == 1 and int(ev[0]["first_position"]) == S == int(ev[0]["last_position"])' \
  "the seed takes positions 3..$SEED"
SEED_TYPES='["PrincipalRegistered", "TokenIssued", "PillarDefined", "GoalDefined", "PillarDefined", "PartnerJoined"]'
SEED_STREAMS='["principal-admin"] * 2 + ["pillar-jeugd-en-onderwijs"] * 2 + ["pillar-ontmoeting", "partner-bibliotheek"]'

step "a rule broken: FAILED_PRECONDITION, exit 1, nothing stored"
printf '%s\n' '{"payload":{"action_started":{"action_id":"zonder-doel","goal_id":"bestaat-niet","title":"Zonder doel"}}}' |
  run 1 "${TOKEN[@]}" append --stream action-zonder-doel --expected any
stderr_has "^wijkboek: FAILED_PRECONDITION: " "an action under an unknown goal"
stderr_has "bestaat-niet" "the refusal names the goal"
read_head
[[ $HEAD -eq $SEED ]] || fail "refused append changed the head to $HEAD"

step "append via stdin (one explicit event_id, one generated)"
ACTION_STARTED='{"event_id":"6f1c0a52-3f7e-4c59-9d1a-2b8e5f4c7a10","payload":{"action_started":{"action_id":"taalmaatjes","goal_id":"jo-leerachterstanden-ingelopen","title":"Taalmaatjes","owner_partner_id":"bibliotheek"}},"metadata":{"source":"cli"}}'
RESULT='{"payload":{"result_recorded":{"action_id":"taalmaatjes","summary":"40 koppels gestart","value":40,"unit":"koppels","occurred_on":"2024-03-01"}}}'
printf '%s\n\n%s\n' "$ACTION_STARTED" "$RESULT" |
  run 0 "${TOKEN[@]}" append --stream action-taalmaatjes --expected no-stream
check_json "$OUT" 'len(ev) == 1 and int(ev[0]["first_position"]) == S + 1 and int(ev[0]["last_position"]) == S + 2 and rev(ev[0]) == 1 and not ev[0].get("deduplicated")' \
  "stdin append answers positions S+1..S+2, revision 1"

step "append via --file (blank lines skipped), then again: deduplicated"
cat >"$TMP/signals.jsonl" <<'EOF'
{"event_id":"0b6c4f0e-8a43-4c1e-9d57-1f2a3b4c5d6e","payload":{"signal_raised":{"signal_id":"speeltuin-kapot","pillar_id":"jeugd-en-onderwijs","summary":"Speeltuin kapot","source":"bewonersavond"}}}

   
{"event_id":"3d8e2b71-5c0a-4f6e-a1b2-c3d4e5f60718","payload":{"signal_raised":{"signal_id":"te-weinig-bankjes","pillar_id":"ontmoeting","summary":"Te weinig bankjes","source":"wijkagent"}}}
EOF
run 0 "${TOKEN[@]}" append --stream programme --expected any --file "$TMP/signals.jsonl"
check_json "$OUT" 'int(ev[0]["first_position"]) == S + 3 and int(ev[0]["last_position"]) == S + 4 and rev(ev[0]) == 1' \
  "file append answers positions S+3..S+4"
run 0 "${TOKEN[@]}" append --stream programme --expected any --file "$TMP/signals.jsonl"
check_json "$OUT" 'ev[0].get("deduplicated") is True and int(ev[0]["first_position"]) == S + 3' \
  "a retry with explicit ids is deduplicated"

step "read the whole log"
run 0 "${TOKEN[@]}" read
check_json "$OUT" '[pos(e) for e in ev] == list(range(1, S + 5))' "positions 1..S+4"
check_json "$OUT" "[e[\"type\"] for e in ev] == $SEED_TYPES + [\"ActionStarted\", \"ResultRecorded\", \"SignalRaised\", \"SignalRaised\"]" "types"
check_json "$OUT" "[e[\"stream\"] for e in ev] == $SEED_STREAMS + [\"action-taalmaatjes\"] * 2 + [\"programme\"] * 2" "streams"
check_json "$OUT" 'ev[S]["event_id"] == "6f1c0a52-3f7e-4c59-9d1a-2b8e5f4c7a10"' "explicit event_id kept"
check_json "$OUT" 're.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ev[S + 1]["event_id"]) is not None' \
  "missing event_id became a UUIDv4"
check_json "$OUT" 'ev[S]["payload"]["action_started"]["owner_partner_id"] == "bibliotheek" and ev[S]["metadata"] == {"source": "cli"}' \
  "payload and metadata in snake_case"
check_json "$OUT" 'ev[S + 1]["payload"]["result_recorded"]["value"] == 40 and all("recorded_at" in e and "hash" in e for e in ev)' \
  "recorded_at, hash and figures present"
check_json "$OUT" 'all(ev[i]["prev_hash"] == ev[i - 1]["hash"] for i in range(1, len(ev)))' "hash chain links"

step "read one stream, and backwards with a limit"
run 0 "${TOKEN[@]}" read --stream action-taalmaatjes
check_json "$OUT" '[rev(e) for e in ev] == [0, 1] and [pos(e) for e in ev] == [S + 1, S + 2]' "stream revisions 0..1"
run 0 "${TOKEN[@]}" read --backwards --limit 2
check_json "$OUT" '[pos(e) for e in ev] == [S + 4, S + 3]' "backwards, limit 2"
run 0 "${TOKEN[@]}" read --stream programme --from 1
check_json "$OUT" '[pos(e) for e in ev] == [S + 4]' "stream read from revision 1"

step "stale expected revision: ABORTED, exit 1"
printf '%s\n' "$RESULT" | run 1 "${TOKEN[@]}" append --stream action-taalmaatjes --expected 0
stderr_has "^wijkboek: ABORTED: " "stale revision"
stderr_has "actual revision 1" "stale revision names the actual revision"
[[ -z $(cat "$OUT") ]] || fail "failed append printed to stdout"
read_head
[[ $HEAD -eq $((SEED + 4)) ]] || fail "refused append changed the head to $HEAD"

step "malformed JSON line: exit 2, line number, nothing sent"
printf '%s\n\n{"payload": {"result_recorded": oops}}\n' "$RESULT" >"$TMP/bad.jsonl"
run 2 "${TOKEN[@]}" append --stream action-taalmaatjes --expected any --file "$TMP/bad.jsonl"
stderr_has "line 3" "parse error names the line"
read_head
[[ $HEAD -eq $((SEED + 4)) ]] || fail "malformed input changed the head to $HEAD"

step "subscribe --until-caught-up with filters"
run 0 "${TOKEN[@]}" subscribe --stream-prefix action- --until-caught-up
check_json "$OUT" '[pos(e) for e in ev] == [S + 1, S + 2]' "prefix filter"
stderr_has "^# caught up at position [0-9]+$" "caught-up marker on stderr"
run 0 "${TOKEN[@]}" subscribe --type SignalRaised --type PartnerJoined --until-caught-up
check_json "$OUT" '[pos(e) for e in ev] == [S, S + 3, S + 4] and [e["type"] for e in ev] == ["PartnerJoined"] + ["SignalRaised"] * 2' \
  "type filter (any of two)"
run 0 "${TOKEN[@]}" subscribe --from $((SEED + 2)) --until-caught-up
check_json "$OUT" '[pos(e) for e in ev] == [S + 2, S + 3, S + 4]' "subscribe from position S+2"

step "subscribe --count with filters"
run 0 "${TOKEN[@]}" subscribe --stream-prefix programme --type SignalRaised --count 1
check_json "$OUT" '[pos(e) for e in ev] == [S + 3]' "count 1"

step "subscribe receives a live event (after the seed's partner from the history)"
LIVE_OUT=$TMP/live.out
LIVE_ERR=$TMP/live.err
timeout "$CLI_TIMEOUT" "$CLI" "${TOKEN[@]}" subscribe --stream-prefix partner- --count 2 \
  >"$LIVE_OUT" 2>"$LIVE_ERR" &
LIVE_PID=$!
live_caught_up() { grep -q "^# caught up" "$LIVE_ERR"; }
wait_for "the live subscriber to catch up" 20 live_caught_up
printf '%s\n' '{"payload":{"partner_joined":{"partner_id":"vidomes","name":"Vidomes","sector":"wonen","occurred_on":"2024-01-15"}}}' |
  run 0 "${TOKEN[@]}" append --stream partner-vidomes --expected no-stream
rc=0
wait "$LIVE_PID" || rc=$?
[[ $rc -eq 0 ]] || fail "live subscriber exited $rc: $(cat "$LIVE_ERR")"
check_json "$LIVE_OUT" '[pos(e) for e in ev] == [S, S + 5] and [e["type"] for e in ev] == ["PartnerJoined"] * 2 and ev[1]["stream"] == "partner-vidomes"' \
  "the seed's partner from the history, then the live event"

step "read | head: a closed pipe ends the CLI quietly"
for i in $(seq 1 300); do
  printf '{"payload":{"signal_raised":{"signal_id":"bulk-%d","pillar_id":"ontmoeting","summary":"signaal %d uit de bulk"}}}\n' "$i" "$i"
done | run 0 "${TOKEN[@]}" append --stream programme --expected exists
check_json "$OUT" 'int(ev[0]["last_position"]) == S + 305' "bulk append"
set +o errexit
timeout "$CLI_TIMEOUT" "$CLI" "${TOKEN[@]}" read 2>"$ERR" | head -n 1 >"$OUT"
codes=("${PIPESTATUS[@]}")
set -o errexit
[[ ${codes[0]} -eq 0 ]] || fail "read into a closed pipe exited ${codes[0]}"
check_json "$OUT" '[pos(e) for e in ev] == [1]' "first line through head"
[[ ! -s $ERR ]] || fail "read into a closed pipe complained: $(cat "$ERR")"

step "head"
run 0 "${TOKEN[@]}" head
cp "$OUT" "$TMP/head.json"
run 0 "${TOKEN[@]}" read --backwards --limit 1
python3 - "$TMP/head.json" "$OUT" "$SEED" <<'EOF' || fail "head does not match the last event"
import base64, json, sys
head = json.load(open(sys.argv[1]))
last = json.loads(open(sys.argv[2]).readline())
want = int(sys.argv[3]) + 305
assert int(head["position"]) == want == int(last["position"]), (head, last["position"])
assert head["hash"] == last["hash"] and len(base64.b64decode(head["hash"])) == 32, head
EOF

step "admin: a partner principal, its token, revocation"
run 0 "${TOKEN[@]}" admin principal add bieb-app --role partner --partner bibliotheek
check_json "$OUT" 'int(ev[0]["position"]) == S + 306' "the principal is an event in the log"
run 2 "${TOKEN[@]}" admin principal add bieb-2 --role bestuurder
run 1 "${TOKEN[@]}" admin principal add bieb-app --role partner --partner bibliotheek
stderr_has "^wijkboek: ALREADY_EXISTS: principal bieb-app already exists" "a taken id"
run 0 "${TOKEN[@]}" admin token issue bieb-app --expires 30d --output "$TMP/bieb.token"
check_json "$OUT" '"token" not in ev[0] and ev[0]["token_id"].startswith("tok-")' \
  "--output keeps the secret off stdout"
[[ $(stat -c %a "$TMP/bieb.token") == 600 ]] || fail "the token file is not private"
BIEB_TOKEN_ID=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["token_id"])' "$OUT")
run 2 "${TOKEN[@]}" admin token issue bieb-app --output "$TMP/bieb.token"
printf '%s\n' '{"payload":{"result_recorded":{"action_id":"taalmaatjes","summary":"Door de bibliotheek zelf"}}}' |
  run 0 --token-file "$TMP/bieb.token" append --stream action-taalmaatjes --expected any
printf '%s\n' '{"payload":{"pillar_defined":{"pillar_id":"eigen","name":"Eigen pijler"}}}' |
  run 1 --token-file "$TMP/bieb.token" append --stream pillar-eigen --expected any
stderr_has "^wijkboek: PERMISSION_DENIED: events\[0\]: principal bieb-app \(partner bibliotheek\)" \
  "a partner defines no pillars"
run 1 --token-file "$TMP/bieb.token" admin principal list
stderr_has "^wijkboek: PERMISSION_DENIED: .*role partner" "a partner lists no principals"
run 0 "${TOKEN[@]}" read --stream principal-bieb-app
check_json "$OUT" '[e["type"] for e in ev] == ["PrincipalRegistered", "TokenIssued"] and all(e["recorded_by"] == "admin" for e in ev)' \
  "who was given access, and by whom"
run 0 "${TOKEN[@]}" admin token revoke "$BIEB_TOKEN_ID" --reason "test"
run 1 --token-file "$TMP/bieb.token" head
stderr_has "^wijkboek: UNAUTHENTICATED: token $BIEB_TOKEN_ID was revoked" "a revoked token"
run 0 "${TOKEN[@]}" admin principal list
check_json "$OUT" 'any(p["principal_id"] == "bieb-app" and p["tokens"][0]["revoked"] for p in ev[0]["principals"])' \
  "the list shows the revoked token"

step "unreachable server: exit 1, UNAVAILABLE"
run 1 "${TOKEN[@]}" --server 127.0.0.1:1 --timeout 5 head
stderr_has "^wijkboek: (UNAVAILABLE|DEADLINE_EXCEEDED): " "unreachable server"

step "stop wijkboekd with SIGTERM"
stop_server

step "TLS: restart with the test CA's server certificate; --tls-ca trusts it"
CERTS=$TMP/certs
"$(dirname "${BASH_SOURCE[0]}")/../../deploy/make-test-certs" "$CERTS" >/dev/null
start_server --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key"
grep -q "over TLS" "$TMP/server.log" || fail "the startup log does not say TLS"
run 1 "${TOKEN[@]}" --timeout 5 head
stderr_has "--tls-ca" "a plaintext client is told about --tls-ca"
run 0 "${TOKEN[@]}" --tls-ca "$CERTS/ca.pem" head
check_json "$OUT" "[pos(e) for e in ev] == [S + 309]" "the log survived the restart, read over TLS"
WIJKBOEK_TLS_CA=$CERTS/ca.pem run 0 "${TOKEN[@]}" head  # the CA from the environment
run 1 "${TOKEN[@]}" --timeout 5 --tls-ca "$CERTS/ca.pem" --tls-server-name other.example head
stderr_has "--tls-server-name" "a name the certificate lacks: the hint names --tls-server-name"
run 2 "${TOKEN[@]}" --tls-ca "$TMP/no-such-ca.pem" head
stderr_has "--tls-ca $TMP/no-such-ca.pem: cannot read" "an unreadable CA file is named"
stop_server

step "mutual TLS: only a client with a certificate from the CA gets in"
start_server --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --tls-client-ca "$CERTS/ca.pem"
grep -q "over mutual TLS" "$TMP/server.log" || fail "the startup log does not say mutual TLS"
run 1 "${TOKEN[@]}" --timeout 5 --tls-ca "$CERTS/ca.pem" head
stderr_has "--tls-cert/--tls-key" "a client without a certificate is told about --tls-cert"
run 2 "${TOKEN[@]}" --tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client.pem" head
stderr_has "--tls-cert and --tls-key go together" "a certificate without its key"
run 0 "${TOKEN[@]}" --tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client.pem" \
  --tls-key "$CERTS/client.key" head
check_json "$OUT" "[pos(e) for e in ev] == [S + 309]" "head over mutual TLS"
WIJKBOEK_TLS_CA=$CERTS/ca.pem WIJKBOEK_TLS_CERT=$CERTS/client.pem \
  WIJKBOEK_TLS_KEY=$CERTS/client.key run 0 "${TOKEN[@]}" views programme
stop_server

echo "PASS: cli end-to-end"
