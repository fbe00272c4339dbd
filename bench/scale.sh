#!/usr/bin/env bash
# The decision log at scale (issue 13): seeds a store with COUNT realistic decision records through
# the service's own write path (ScaleBench seed: 50,000 users, 5,000 projects, four years, every
# record decided by the real Decider under a 20-rule policy and appended through DecisionLog, in
# RUNS chains as that many server runs make), then times, through the real jar's CLI:
#   decisions list --user U / --project-id P (default limit 50)  -- in one warm process
#                                                                   (ScaleBench search: the query
#                                                                   the CLI runs, without JVM start)
#                                                                   and as whole CLI commands
#   decisions export --format csv|jsonl, to /dev/null and to a file (--output)
#   audit verify
# and prints a table of records/s. Everything it made is removed at the end (KEEP=1 keeps it).
#
#   bench/scale.sh                          # SQLite, 10,000,000 records in 10 chains
#   COUNT=1000000 RUNS=4 bench/scale.sh     # smaller
#   STORE=postgresql bench/scale.sh         # an embedded PostgreSQL (zonky's binaries) under target/
#   SEEDED=target/scale/sqlite bench/scale.sh   # time an SQLite store seeded before (kept with KEEP=1)
#   OFFLINE=1 bench/scale.sh                # Maven offline (-o)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10000000}
RUNS=${RUNS:-10}
STORE=${STORE:-sqlite}
mvn=(./mvnw -q -B -ntp)
[ "${OFFLINE:-0}" = 1 ] && mvn+=(-o)
[ -f target/cdp-access.jar ] || "${mvn[@]}" -DskipTests package
"${mvn[@]}" -DskipTests test-compile
"${mvn[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
classpath="target/test-classes:target/classes:$(cat target/jmh-classpath.txt)"
cli=(java -jar target/cdp-access.jar)
[ -f target/cdp-access.jsa ] && cli=(java -XX:SharedArchiveFile=target/cdp-access.jsa -jar target/cdp-access.jar)

mkdir -p target/scale
work=${SEEDED:-$(mktemp -d "$PWD/target/scale/run-XXXX")}
pg=
cleanup() {
  if [ -n "$pg" ]; then kill "$pg" 2>/dev/null || true; wait "$pg" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ] && [ -z "${SEEDED:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

store_yaml=
args=()
if [ "$STORE" = postgresql ]; then
  java -cp "$classpath" io.cdpaccess.bench.ScaleBench postgres "$work/pg" > "$work/pg.out" 2>&1 &
  pg=$!
  for _ in $(seq 1 300); do [ -s "$work/pg.out" ] && grep -q '^jdbc:' "$work/pg.out" && break; sleep 0.5; done
  read -r url user password < <(grep '^jdbc:' "$work/pg.out")
  args=("$url" "$user" "$password")
  store_yaml="store: {url: \"$url\", user: $user, password: \"$password\"}"
else
  args=("jdbc:sqlite:$work/store.db")
  store_yaml="store: {url: \"jdbc:sqlite:$work/store.db\"}"
fi
(umask 077 && cat > "$work/cdp-access.yaml" <<YAML
listen: 127.0.0.1:0
data_dir: $work/data
$store_yaml
instances:
  - name: prod
    redcap_url: https://redcap.example.edu/
    secret: bench-secret-0123456789-XYZ
YAML
)
config=(--config "$work/cdp-access.yaml")

echo "machine: $(nproc) cores; $(uptime | sed 's/.*load/load/')"
if [ -z "${SEEDED:-}" ]; then
  echo "seeding $COUNT records in $RUNS chains ($STORE)"
  java -Xmx3g -cp "$classpath" io.cdpaccess.bench.ScaleBench seed "$COUNT" "$RUNS" "${args[@]}" | sed 's/^/  /'
fi
n=$("${cli[@]}" audit verify "${config[@]}" | tee "$work/verify.out" | grep -o 'all [0-9,]* records' | tr -dc '0-9' || true)
echo "records in the store: ${n:-?} ($(grep -m1 -E "verify|broken" "$work/verify.out"))"

echo "search, in one warm process (ScaleBench search; what decisions list runs):"
java -cp "$classpath" io.cdpaccess.bench.ScaleBench search "${args[@]}" 2>/dev/null | sed 's/^/  /'

ms() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
base=$(ms "${cli[@]}" decisions list "${config[@]}" --id none-such)
u=$(ms "${cli[@]}" decisions list "${config[@]}" --user "$(java -cp "$classpath" io.cdpaccess.bench.ScaleBench user 0)")
p=$(ms "${cli[@]}" decisions list "${config[@]}" --project-id 1000)
echo "whole CLI commands (JVM start included): decisions list --id none-such $base ms," \
  "--user (busiest) $u ms, --project-id (busiest) $p ms"

echo "| operation | ms | records/s |"
echo "|---|---|---|"
for f in csv jsonl; do
  t=$(ms "${cli[@]}" decisions export "${config[@]}" --format "$f")
  echo "| decisions export --format $f > /dev/null | $t | $(rate "$n" "$t") |"
  t=$(ms "${cli[@]}" decisions export "${config[@]}" --format "$f" --output "$work/export.$f")
  echo "| decisions export --format $f --output FILE ($(du -h "$work/export.$f" | cut -f1)) | $t | $(rate "$n" "$t") |"
  rm -f "$work/export.$f"
done
t=$(ms "${cli[@]}" audit verify "${config[@]}")
echo "| audit verify | $t | $(rate "$n" "$t") |"
echo "machine after: $(uptime | sed 's/.*load/load/')"
