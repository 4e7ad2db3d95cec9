#!/usr/bin/env bash
# End-to-end test of `wijkboek import` and `wijkboek views` against a real wijkboekd.
#
#   import_test.sh PATH/TO/wijkboekd PATH/TO/wijkboek PATH/TO/programme.json PATH/TO/fixture.json
#
# Starts the server on a temp data dir (--grpc-listen 127.0.0.1:0), imports the programme file,
# imports it again (nothing new), refuses a broken copy without appending anything, imports a
# second, small programme file, and reads the programme back through the Views service, also as of
# an earlier point (views --as-of-position, audit replay). The views checks are skipped, with a
# notice, only when the server answers UNIMPLEMENTED (a server without the Views service). Set WIJKBOEK_CLI_TEST_KEEP=1 to keep the temp dir.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 WIJKBOEKD WIJKBOEK PROGRAMME.json FIXTURE.json" >&2
  exit 2
fi
SERVER_BIN=$1
CLI=$2
PROGRAMME=$3
FIXTURE=$4
TMP=$(mktemp -d /tmp/wijkboek-import-test.XXXXXX)
DATA=$TMP/data
SERVER_PID=
CLI_TIMEOUT=60

source "$(dirname "${BASH_SOURCE[0]}")/test_harness.sh"

out_has() { grep -Eq -- "$1" "$OUT" || fail "$2: stdout does not match /$1/: $(head -c 2000 "$OUT")"; }
err_has() { grep -Eq -- "$1" "$ERR" || fail "$2: stderr does not match /$1/: $(head -c 2000 "$ERR")"; }

# check_json FILE PYTHON_EXPR DESCRIPTION: `j` is the first JSON object in FILE.
check_json() {
  python3 - "$1" "$2" "$3" <<'EOF' || fail "$3"
import json, sys
path, expr, what = sys.argv[1:4]
j = json.loads(open(path).readline())
if not eval(expr):
    print(f"check failed: {what}\n  expression: {expr}\n  got: {json.dumps(j)[:2000]}", file=sys.stderr)
    sys.exit(1)
EOF
}


source "$(dirname "${BASH_SOURCE[0]}")/test_server.sh"

step "start wijkboekd"
start_server
unset WIJKBOEK_TOKEN
TOKEN=(--token-file "$DATA/admin.token")

step "dry run: the requests as JSON lines, nothing sent, no token needed"
run 0 import "$PROGRAMME" --dry-run
[[ $(wc -l <"$OUT") -eq 108 ]] || fail "dry run printed $(wc -l <"$OUT") requests, want 108"
check_json "$OUT" 'j["stream"] == "programme" and "programme_described" in j["events"][0]["payload"]' \
  "the first request describes the programme"
err_has "dry run: .* 108 requests, 290 events .*nothing was sent" "dry-run summary"
read_head
[[ $HEAD -eq 2 ]] || fail "a dry run appended: head $HEAD (a fresh log holds the bootstrap admin)"

step "a broken file: exit 2, every problem named, nothing appended"
python3 - "$PROGRAMME" "$TMP/broken.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["actions"][12]["status_code"] = "bezig"
doc["partners"][3]["sector"] = "horeca"
doc["actions"][20]["goal"] = "fz-bestaat-niet"
json.dump(doc, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
run 2 "${TOKEN[@]}" import "$TMP/broken.json"
err_has '^wijkboek: .*broken.json: actions\[12\] \(fz-routekaart-financiele-hulp\): unknown status_code "bezig"; expected one of completed, in_progress' \
  "unknown status named"
err_has 'partners\[3\] \(jgz\): unknown sector "horeca"' "unknown sector named"
err_has 'actions\[20\] \([a-z0-9-]+\): goal "fz-bestaat-niet" is not a goal in this file' "dangling goal named"
err_has '3 problems in the file; nothing was imported' "problem count"
read_head
[[ $HEAD -eq 2 ]] || fail "a broken file appended: head $HEAD"
printf '{"programme": ' >"$TMP/not-json.json"
run 2 "${TOKEN[@]}" import "$TMP/not-json.json"
err_has "not valid JSON" "not JSON"

step "import the programme"
run 0 "${TOKEN[@]}" import "$PROGRAMME"
cat "$OUT"
out_has "^imported .*: 1 programme, 4 pillars, 30 goals, 37 partners, 65 actions, 120 results, 3 status changes, 30 decisions" \
  "first import reports the counts"
out_has "290 events in 108 requests appended; head at position 292" "first import reports the head"
read_head
[[ $HEAD -eq 292 ]] || fail "head after import is $HEAD, want 292 (2 bootstrap + 290)"

step "import it again: nothing new, head unchanged"
run 0 "${TOKEN[@]}" import "$PROGRAMME"
cat "$OUT"
out_has "^nothing new: 108 requests were already imported \(deduplicated\); head at position 292" \
  "second import reports nothing new"
run 0 "${TOKEN[@]}" import "$PROGRAMME" --json
check_json "$OUT" 'j["requests"] == 108 and j["deduplicated_requests"] == 108 and j["appended_events"] == 0 and j["head_position"] == 292 and j["counts"]["partners"] == 37' \
  "--json summary"
read_head
[[ $HEAD -eq 292 ]] || fail "a repeated import moved the head to $HEAD"

step "the log holds the mapping"
run 0 "${TOKEN[@]}" read --stream action-jo-brugfunctionaris
check_json "$OUT" 'j["type"] == "ActionStarted" and j["payload"]["action_started"]["owner_partner_id"] == "de-waterlelie" and j["payload"]["action_started"]["partner_ids"] == ["de-margriet", "de-trampoline", "kwadraad"] and j["metadata"]["source"] == "wijkboek-import"' \
  "owner is the first listed partner"
run 0 "${TOKEN[@]}" read --stream action-fvw-containertuintjes --backwards --limit 1
check_json "$OUT" 'j["type"] == "ActionStatusChanged" and j["payload"]["action_status_changed"]["status"] == "ACTION_STATUS_STOPPED"' \
  "a stopped action ends stopped"

step "views"
rc=0
timeout "$CLI_TIMEOUT" "$CLI" "${TOKEN[@]}" views programme --min-position "$HEAD" >"$OUT" 2>"$ERR" || rc=$?
if [[ $rc -ne 0 ]] && grep -q "^wijkboek: UNIMPLEMENTED" "$ERR"; then
  echo "NOTICE: the server has no Views service (UNIMPLEMENTED); the views checks are skipped"
else
  [[ $rc -eq 0 ]] || fail "views programme exited $rc: $(cat "$ERR")"
  check_json "$OUT" 'int(j["as_of_position"]) >= 292 and any(p["pillar_id"] == "jeugd-en-onderwijs" for p in j["pillars"])' \
    "views programme shows the pillars"

  run 0 "${TOKEN[@]}" views partners --min-position "$HEAD"
  check_json "$OUT" 'any(p["name"] == "Bibliotheek aan de Vliet" for p in j["partners"]) and len(j["partners"]) == 37' \
    "views partners lists the programme's partners"
  run 0 "${TOKEN[@]}" views partners --sector welzijn
  check_json "$OUT" 'sorted(p["partner_id"] for p in j["partners"]) == ["kwadraad", "sport-en-welzijn", "woej"]' \
    "views partners --sector"

  run 0 "${TOKEN[@]}" views actions --pillar jeugd-en-onderwijs --all
  check_json "$OUT" 'len(j["actions"]) == 12 and all(a["pillar_id"] == "jeugd-en-onderwijs" for a in j["actions"]) and any(a["action_id"] == "jo-brugfunctionaris" and a["owner_partner_id"] == "de-waterlelie" for a in j["actions"])' \
    "views actions --pillar jeugd-en-onderwijs"
  run 0 "${TOKEN[@]}" views actions --status stopped --all
  check_json "$OUT" 'sorted(a["action_id"] for a in j["actions"]) == ["fvw-containertuintjes", "fvw-ooievaarspaal", "fvw-veiligheidsdag"]' \
    "views actions --status stopped"
  run 2 "${TOKEN[@]}" views actions --status bezig
  err_has "unknown status" "a bad --status is a usage error"

  run 0 "${TOKEN[@]}" views action fvw-containertuintjes
  check_json "$OUT" 'j["action"]["status"] == "ACTION_STATUS_STOPPED" and len(j["action"]["results"]) == 2' \
    "views action: results and status"

  run 0 "${TOKEN[@]}" views project-book --format markdown
  out_has "Jeugd en onderwijs" "project book names a pillar"
  out_has "Leerachterstanden worden ingelopen" "project book names a goal"
  out_has "Flatcoach" "project book names an action"
  run 0 "${TOKEN[@]}" views project-book --pillar jongeren
  check_json "$OUT" '"Rolmodellen" in j["markdown"] and "<html" in j["html"].lower()' \
    "project book as JSON with markdown and html"

  for view in "collaboration" "gaps --stale-days 30" "kpis" "agenda --from 2020-01-01" "funds" "partner vidomes"; do
    # shellcheck disable=SC2086
    run 0 "${TOKEN[@]}" views $view
    check_json "$OUT" 'isinstance(j, dict)' "views $view answers JSON"
  done

  step "time travel: views and audit replay as of an earlier point of the log"
  run 0 "${TOKEN[@]}" views programme --as-of-position 100
  check_json "$OUT" 'j["as_of_position"] == "100"' "views --as-of-position answers for position 100"
  run 0 "${TOKEN[@]}" audit replay --as-of-position 100 --view project-book --format markdown
  cp "$OUT" "$TMP/replay.md"
  out_has "Stand van zaken op positie 100" "the replayed project book says its position"
  run 0 "${TOKEN[@]}" views project-book --as-of-position 100 --format markdown
  cmp -s "$OUT" "$TMP/replay.md" || fail "audit replay and views --as-of-position give different books"
  run 0 "${TOKEN[@]}" audit replay --as-of "$(date -d tomorrow +%F)" --view actions
  out_has "^# Actions as of record time: end of [0-9-]+ \(Europe/Amsterdam\)" "report title names the bound"
  out_has "^Log position: $HEAD" "a bound after the last event replays the whole log"
  out_has "^\| jeugd-en-onderwijs \| " "the report has a row per action"
  run 0 "${TOKEN[@]}" audit replay --as-of 2000-01-01 --view programme --format json
  check_json "$OUT" 'int(j.get("as_of_position", 0)) == 0 and "pillars" not in j'     "before the first event the programme is empty"
  run 0 "${TOKEN[@]}" audit replay --business-date 2000-01-01 --view kpis --format html
  out_has "<!DOCTYPE html>" "an HTML report"
  out_has "Log position: $HEAD" "business time is folded from the whole log"
  run 2 "${TOKEN[@]}" audit replay --view funds
  err_has "give --as-of, --as-of-position or --business-date" "replay needs a bound"
  run 2 "${TOKEN[@]}" audit replay --as-of 2024-06-30 --as-of-position 3 --view funds
  err_has "excludes" "one bound at a time"
  run 2 "${TOKEN[@]}" audit replay --as-of gisteren --view funds
  err_has "--as-of: 'gisteren' is neither a date YYYY-MM-DD nor an RFC 3339 time" "a bad --as-of"
  run 1 "${TOKEN[@]}" audit replay --as-of-position 100000 --view funds
  err_has "^wijkboek: OUT_OF_RANGE: as_of_position 100000 is beyond the log's head $HEAD" \
    "a position beyond the head"
  run 0 audit replay --help
  out_has "Europe/Amsterdam" "--help says what a plain date means"
fi

step "a second, small programme file, after an interrupted import of it: the import resumes"
# An interrupted import leaves a prefix of whole requests: append the first 4 of the dry run by
# hand, with the same ids and content, then import the file.
run 0 import "$FIXTURE" --dry-run
cp "$OUT" "$TMP/fixture.jsonl"
[[ $(wc -l <"$TMP/fixture.jsonl") -eq 11 ]] || fail "fixture dry run: $(wc -l <"$TMP/fixture.jsonl") requests, want 11"
for i in 1 2 3 4; do
  python3 - "$TMP/fixture.jsonl" "$i" "$TMP/request.jsonl" "$TMP/stream" <<'EOF'
import json, sys
request = json.loads(open(sys.argv[1]).readlines()[int(sys.argv[2]) - 1])
with open(sys.argv[3], "w") as out:
    for event in request["events"]:
        out.write(json.dumps(event, ensure_ascii=False) + "\n")
open(sys.argv[4], "w").write(request["stream"])
EOF
  run 0 "${TOKEN[@]}" append --stream "$(cat "$TMP/stream")" --expected any --file "$TMP/request.jsonl"
done
run 0 "${TOKEN[@]}" import "$FIXTURE"
cat "$OUT"
out_has "2 pillars, 3 goals, 3 partners, 4 actions, 6 results, 1 status change, 2 decisions" \
  "fixture counts"
out_has "15 events in 7 requests appended, 4 requests were already there \(resumed\); head at position 314" \
  "the import resumed after the appended prefix"
read_head
[[ $HEAD -eq 314 ]] || fail "head after the fixture is $HEAD, want 314"

step "a file changed since its import: refused mid-way with the server's code, exit 1"
python3 - "$FIXTURE" "$TMP/changed.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["partners"][1]["name"] = "Hovenier Jansen en Zonen"
json.dump(doc, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
run 1 "${TOKEN[@]}" import "$TMP/changed.json"
err_has "^wijkboek: ALREADY_EXISTS: " "the server's code"
err_has "import stopped at request 5 of 11 \(stream partner-hovenier-jansen\).*4 already there.*Run the import again" \
  "where the import stopped"
read_head
[[ $HEAD -eq 314 ]] || fail "a refused import moved the head to $HEAD"

step "stop wijkboekd with SIGTERM"
stop_server

echo "PASS: import and views end-to-end"
