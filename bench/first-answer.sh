#!/usr/bin/env bash
# The first answer after start against the ones that follow: the real jar on its embedded store,
# started fresh RUNS times; each time, as soon as /health/ready says 200, REDCap's call is made
# once and then 20 times more (a new connection each, as REDCap's cURL does). Prints, per run,
# the milliseconds from start to ready, the first answer, the median of the next 20, and their
# ratio; then the median of the ratios. The warm-up's target: the first answer within 2x the
# median, readiness within 2 s of the listener starting.
#
#   bench/first-answer.sh                      # target/cdp-access.jar, 5 runs
#   RUNS=10 JAR=/path/to/other.jar bench/first-answer.sh
#   JAVA_OPTS=-XX:SharedArchiveFile=target/cdp-access.jsa bench/first-answer.sh   # with the class-data archive
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
read -r -a java_opts <<< "${JAVA_OPTS:-}"
JAR=${JAR:-target/cdp-access.jar}
if [ "$JAR" = target/cdp-access.jar ] && [ ! -f target/cdp-access.jar ]; then
  ./mvnw -q -DskipTests package
fi
[ -f "$JAR" ] || { echo "no such jar: $JAR" >&2; exit 2; }

server=
work=
# shellcheck source=bench/lib.sh
. bench/lib.sh
trap bench_cleanup EXIT
secret=$(java -jar "$JAR" config new-secret | sed -n 's/^secret: //p')
body='user=alice&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F'
ratios=()

for run in $(seq 1 "$RUNS"); do
  work=$(mktemp -d)
  bench_config "$work" "$secret"
  java -jar "$JAR" grant add --config "$work/cdp-access.yaml" --user alice --project-id 42 --reason bench >/dev/null
  started=$(date +%s%N)
  java "${java_opts[@]}" -jar "$JAR" serve --config "$work/cdp-access.yaml" > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  port=
  for _ in $(seq 1 300); do
    port=$(grep -o 'listening on [^ ;]*' "$work/serve.out" 2>/dev/null | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "run $run: did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
  listening=$(date +%s%N)
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ]; do sleep 0.01; done
  ready=$(date +%s%N)
  times=()
  for _ in $(seq 0 20); do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/x-www-form-urlencoded' \
      --data "$body" "http://127.0.0.1:$port/user-access?secret=$secret")
    times+=("$t")
  done
  first_ms=$(awk -v t="${times[0]}" 'BEGIN { printf "%.1f", t * 1000 }')
  median_ms=$(printf '%s\n' "${times[@]:1}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }')
  ratio=$(awk -v f="$first_ms" -v m="$median_ms" 'BEGIN { printf "%.2f", f / m }')
  ratios+=("$ratio")
  echo "run $run: listening->ready $(( (ready - listening) / 1000000 )) ms (start->ready $(( (ready - started) / 1000000 )) ms);" \
    "first answer $first_ms ms, median of next 20 $median_ms ms, ratio $ratio"
  bench_cleanup
done
echo "median ratio first/median over $RUNS runs: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
