#!/usr/bin/env bash
# How large the embedded SQLite store grows with the decision log. Every figure counts store.db
# plus store.db-wal (the WAL holds committed pages until they are checkpointed into store.db).
#
#  (a) bytes per allowed decision: the real jar, wrk sending allow requests for ALLOW_SECONDS;
#      growth divided by the allows recorded, measured while serving and after a clean stop
#      (which checkpoints the WAL into store.db).
#  (b) bytes per refused request (wrong secret: 404 unauthenticated, then rate-limited past the allowance):
#      60 refusals over HTTP, the most one address gets recorded one by one in a minute (past
#      that they are counted into one summary row), and, for a figure not rounded to pages,
#      REFUSALS (100,000) such records appended through the decision log in one process
#      (StoreSize, the per-address limit lifted so that each is a row).
#  (c) the store after DECISIONS (1,000,000) allow records appended through the decision log
#      (StoreSize: DecisionLog, group commit, 64 threads, the default policy's explanation), and
#      the time that took.
#
#   bench/store-size.sh
#   DECISIONS=200000 ALLOW_SECONDS=5 bench/store-size.sh
#   OFFLINE=1 bench/store-size.sh        # Maven offline (-o)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
ALLOW_SECONDS=${ALLOW_SECONDS:-10}
REFUSALS=${REFUSALS:-100000}
DECISIONS=${DECISIONS:-1000000}
POLICY=${POLICY:-default}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
mvn=(./mvnw -q -B -ntp)
[ "${OFFLINE:-0}" = 1 ] && mvn+=(-o)
[ -f target/cdp-access.jar ] || "${mvn[@]}" -DskipTests package
jar=target/cdp-access.jar

server=
work=$(mktemp -d)
bulk=
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$work" ${bulk:+"$bulk"}' EXIT
secret=bench-secret-0123456789-XYZ
bench_config "$work" "$secret"
cli=(java -jar "$jar")
body="user=alice&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F"

start() {
  : > "$work/serve.out"
  "${cli[@]}" serve --config "$work/cdp-access.yaml" > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
  port=$(grep -o 'listening on [^ ;]*' "$work/serve.out" | sed 's/.*://')
  [ -n "$port" ] || { echo "the service did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
bytes() { local f t=0; for f in "$work/data/store.db" "$work/data/store.db-wal"; do [ -f "$f" ] && t=$((t + $(stat -c %s "$f"))); done; echo "$t"; }
wal() { [ -f "$work/data/store.db-wal" ] && stat -c %s "$work/data/store.db-wal" || echo 0; }
rows() { "${cli[@]}" decisions export --config "$work/cdp-access.yaml" --format jsonl | grep -c "\"effect\":\"$1\"" || true; }
per() { awk -v g="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f", g / n; else print "n/a" }'; }

"${cli[@]}" grant add --config "$work/cdp-access.yaml" --user alice --project-id 42 --reason bench >/dev/null
start
test "$(curl -s -X POST "http://127.0.0.1:$port/user-access?secret=$secret" --data-binary "$body")" = 1
stop
base=$(bytes); allows0=$(rows allow)
echo "(a) allowed decisions over HTTP ($ALLOW_SECONDS s of wrk, 8 connections); store before: $base bytes, $allows0 allow(s)"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "$body"
LUA
start
wrk -t2 -c8 -d"${ALLOW_SECONDS}s" -s "$work/post.lua" "http://127.0.0.1:$port/user-access?secret=$secret" | grep -E "requests in|Non-2xx" | sed 's/^ */  wrk: /'
serving=$(bytes); serving_wal=$(wal)
stop
closed=$(bytes); n=$(( $(rows allow) - allows0 ))
echo "  $n allows recorded; store.db + wal while serving $serving bytes (wal $serving_wal), after stop $closed bytes (wal $(wal))"
echo "  bytes per allowed decision: $(per $((serving - base)) "$n") while serving, $(per $((closed - base)) "$n") after stop"
line=$("${cli[@]}" decisions export --config "$work/cdp-access.yaml" --format jsonl | grep -m1 '"effect":"allow"')
echo "  one allow as exported: ${#line} characters of JSON Lines"

echo "(b) refused requests over HTTP (60 with a wrong secret, one address, within a minute)"
base=$(bytes); refused0=$(rows rejected)
start
codes=$(for _ in $(seq 1 60); do curl -s -o /dev/null -w '%{http_code}\n' -X POST "http://127.0.0.1:$port/user-access?secret=wrong-secret-0123456789-XYZ" --data-binary "$body"; done | sort | uniq -c | tr -s ' ' | tr '\n' ',')
serving=$(bytes); serving_wal=$(wal)
stop
closed=$(bytes); n=$(( $(rows rejected) - refused0 ))
echo "  answers:${codes%,}; $n refusals recorded; growth while serving $((serving - base)) bytes (wal $serving_wal), after stop $((closed - base)) bytes"
echo "  bytes per refusal: $(per $((serving - base)) "$n") while serving (one commit each: WAL pages), $(per $((closed - base)) "$n") after stop (whole pages: coarse)"

"${mvn[@]}" -DskipTests test-compile
"${mvn[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
classpath="target/test-classes:target/classes:$(cat target/jmh-classpath.txt)"
mkdir -p target/store-size
bulk=$(mktemp -d "$PWD/target/store-size/run-XXXX")
echo "(b) $REFUSALS refusals appended through the decision log"
java -Xmx1g -cp "$classpath" io.cdpaccess.bench.StoreSize refusals "$REFUSALS" "$bulk/refusals" | sed 's/^/  /'
echo "(c) $DECISIONS allows appended through the decision log ($POLICY policy's explanation)"
java -Xmx1g -cp "$classpath" io.cdpaccess.bench.StoreSize allows "$DECISIONS" "$bulk/allows" "$POLICY" | sed 's/^/  /'
