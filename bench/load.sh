#!/usr/bin/env bash
# Load test of the REDCap endpoint on loopback: the real jar, its embedded SQLite store (WAL,
# synchronous=FULL), group-committed decision log, and wrk sending REDCap's form POST (allow
# decisions over keep-alive connections). Bounded: each run lasts DURATION seconds.
#
#   bench/load.sh                 # defaults: target/cdp-access.jar, 10 s per run, 1/8/32 connections, 2 wrk threads
#   DURATION=30 bench/load.sh
#   JARS="/work/bench-jars/cdp-access-h2.jar target/cdp-access.jar" bench/load.sh
#                                 # the same runs against each jar in turn, each with a fresh work
#                                 # dir (and store); every line names its jar, and the end compares
#                                 # requests/s at 32 connections (each jar against the first)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
JARS=${JARS:-target/cdp-access.jar}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ "$JARS" = target/cdp-access.jar ] && [ ! -f target/cdp-access.jar ]; then
  ./mvnw -q -DskipTests package
fi
for jar in $JARS; do
  [ -f "$jar" ] || { echo "no such jar: $jar" >&2; exit 2; }
done

server=
work=
# shellcheck source=bench/lib.sh
. bench/lib.sh
trap bench_cleanup EXIT
secret=bench-secret-0123456789-XYZ
results=()

# Runs every scenario against one jar; appends "jar rate-at-32" to results.
measure() {
  local jar=$1 label
  label=$(basename "$jar")
  work=$(mktemp -d)
  bench_config "$work" "$secret"
  local run=(java -jar "$jar")
  "${run[@]}" grant add --config "$work/cdp-access.yaml" --user alice --project-id 42 --reason bench >/dev/null
  "${run[@]}" serve --config "$work/cdp-access.yaml" > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
  local port url
  port=$(grep -o 'listening on [^ ;]*' "$work/serve.out" | sed 's/.*://')
  [ -n "$port" ] || { echo "[$label] did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
  url="http://127.0.0.1:$port/user-access?secret=$secret"

  cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "user=alice&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F"
done = function(summary, latency, requests)
  io.write(string.format("  requests/s %.0f   p50 %.2f ms   p99 %.2f ms   max %.2f ms   non-2xx %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
LUA

  test "$(curl -s -X POST "$url" --data-binary "user=alice&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F")" = 1
  echo "[$label] $jar"
  echo "[$label] warm-up (not reported)"; wrk -t2 -c8 -d5s -s "$work/post.lua" "$url" >/dev/null
  local c line rate32=
  for c in 1 8 32; do
    line=$(wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${DURATION}s" -s "$work/post.lua" "$url" | grep "requests/s")
    echo "[$label] allow decisions, $c connection(s), ${DURATION}s:$line"
    if [ "$c" = 32 ]; then rate32=$(awk '{print $2}' <<<"$line"); fi
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  echo "[$label] decisions recorded: $("${run[@]}" decisions export --config "$work/cdp-access.yaml" --format jsonl | wc -l)"
  results+=("$label $rate32")
  bench_cleanup
}

for jar in $JARS; do
  measure "$jar"
done
if [ "${#results[@]}" -gt 1 ]; then
  read -r first_label first_rate <<<"${results[0]}"
  echo "requests/s at 32 connections:"
  for r in "${results[@]}"; do
    read -r label rate <<<"$r"
    awk -v l="$label" -v r="$rate" -v f="$first_rate" -v fl="$first_label" \
      'BEGIN { printf "  %-40s %8d   %.2fx %s\n", l, r, (f > 0 ? r / f : 0), fl }'
  done
fi
