#!/usr/bin/env bash
# Load test of the REDCap endpoint on loopback: the real jar, its embedded H2 store, group-committed
# decision log, and wrk sending REDCap's form POST. Bounded: each run lasts DURATION seconds.
#
#   bench/load.sh                 # defaults: 10 s per run, 1/8/32 connections, 2 wrk threads
#   DURATION=30 bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -f target/cdp-access.jar ] || ./mvnw -q -DskipTests package

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
secret=bench-secret-0123456789
cat > "$work/cdp-access.yaml" <<YAML
listen: 127.0.0.1:0
data_dir: ./data
instances:
  - name: prod
    redcap_url: https://redcap.example.edu/
    secret: $secret
YAML
jar="java -jar target/cdp-access.jar"
$jar grant add --config "$work/cdp-access.yaml" --user alice --project-id 42 --reason bench >/dev/null
$jar serve --config "$work/cdp-access.yaml" > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
port=$(grep -o 'listening on [^ ;]*' "$work/serve.out" | sed 's/.*://')
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
echo "warm-up (not reported)"; wrk -t2 -c8 -d5s -s "$work/post.lua" "$url" >/dev/null
for c in 1 8 32; do
  echo "allow decisions, $c connection(s), ${DURATION}s:"
  wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${DURATION}s" -s "$work/post.lua" "$url" | grep "requests/s"
done
echo "decisions recorded: $($jar decisions export --config "$work/cdp-access.yaml" --format jsonl | wc -l)"
