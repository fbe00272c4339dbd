#!/usr/bin/env bash
# The service's resident memory with a roster of ROWS rows (default 1,000,000): the real jar
# serving one roster source, its RSS once ready, and its peak RSS (VmHWM) after the file is
# replaced and reloaded (the old copy serves while the new one is built beside it). Also the
# same service without the roster, for the baseline. JAVA_OPTS are the service's JVM options
# (default -Xmx192m: a heap an operator aiming at 256 MB RSS would set).
#
#   bench/roster-rss.sh
#   ROWS=500000 JAVA_OPTS="-Xmx160m -XX:+UseSerialGC" bench/roster-rss.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
read -r -a java_opts <<< "${JAVA_OPTS:--Xmx192m}"
JAR=${JAR:-target/cdp-access.jar}
[ -f "$JAR" ] || ./mvnw -q -DskipTests package

server=
work=
port=
# shellcheck source=bench/lib.sh
. bench/lib.sh
trap bench_cleanup EXIT
secret=$(java -jar "$JAR" config new-secret | sed -n 's/^secret: //p')

# Username, a bool, a department out of 40, a date out of 1,100, a unique number: as RosterLoad.
roster() {
  awk -v rows="$ROWS" -v seed="$1" 'BEGIN {
    print "username,active,department,trained_on,employee_number"
    for (i = 0; i < rows; i++) {
      d = (i * 7 + seed) % 1100
      printf "user%07d,%s,dept-%02d,%04d-%02d-%02d,%d\n", i, (i % 10 ? "Y" : "N"), i % 40,
        2024 + int(d / 365), 1 + int((d % 365) / 31) % 12, 1 + d % 28, 900000000 + i
    }
  }'
}

kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server/status"; }

serve() {
  java "${java_opts[@]}" -jar "$JAR" serve --config "$work/cdp-access.yaml" > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  port=
  for _ in $(seq 1 600); do
    port=$(grep -o 'listening on [^ ;]*' "$work/serve.out" 2>/dev/null | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ]; do sleep 0.1; done
  curl -s -o /dev/null -H 'Content-Type: application/x-www-form-urlencoded' \
    --data 'user=user0000001&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F' \
    "http://127.0.0.1:$port/user-access?secret=$secret"
}

# Baseline: the same service, no source.
work=$(mktemp -d)
bench_config "$work" "$secret"
serve
sleep 2
echo "no roster:           RSS $(( $(kb VmRSS) / 1024 )) MB, peak $(( $(kb VmHWM) / 1024 )) MB (JAVA_OPTS: ${java_opts[*]})"
bench_cleanup

work=$(mktemp -d)
bench_config "$work" "$secret"
roster 0 > "$work/ehr.csv"
cat >> "$work/cdp-access.yaml" <<YAML
sources:
  - name: ehr
    type: roster
    file: ehr.csv
    key: username
    columns:
      active: bool
      department: string
      trained_on: date
      employee_number: int
    reload_every: 1s
policy:
  rules:
    - name: ehr-user
      effect: allow
      when: "ehr.found && ehr.active"
YAML
started=$(date +%s%N)
serve
echo "$ROWS rows:      ready in $(( ($(date +%s%N) - started) / 1000000 )) ms;" \
  "RSS $(( $(kb VmRSS) / 1024 )) MB, peak $(( $(kb VmHWM) / 1024 )) MB"
loaded() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^cdp_access_source_loaded_timestamp_seconds/ { print $2 }'; }
first=$(loaded)
# A new version of the file, renamed over the old one as the sample says exports should.
roster 1 > "$work/ehr.csv.tmp"
mv "$work/ehr.csv.tmp" "$work/ehr.csv"
for _ in $(seq 1 600); do
  [ "$(loaded)" != "$first" ] && break
  sleep 0.2
done
[ "$(loaded)" != "$first" ] || { echo "the new file was not loaded" >&2; tail -5 "$work/serve.out" >&2; exit 1; }
sleep 1
echo "after one reload:    RSS $(( $(kb VmRSS) / 1024 )) MB, peak $(( $(kb VmHWM) / 1024 )) MB"
if grep -q OutOfMemory "$work/serve.err" "$work/serve.out"; then echo "the service ran out of heap" >&2; exit 1; fi
