#!/usr/bin/env bash
# The embedded-store findings of issue 8, on any build: which TCP ports the serving process
# listens on, the data directory's modes, fsync calls during 50 allow decisions (strace), and
# what /health/ready and an answer say 5 s after the store file is deleted. Needs strace and ss.
#
#   bench/store-findings.sh JAR NAME     e.g. bench/store-findings.sh target/cdp-access.jar SQLite
set -u
command -v strace >/dev/null || { apt-get update -qq && apt-get install -y -qq strace iproute2; }
jar=$1; name=$2
work=$(mktemp -d); umask 077
cat > $work/c.yaml <<Y
listen: 127.0.0.1:0
data_dir: ./data
instances:
  - name: prod
    redcap_url: https://redcap.example.edu/
    secret: repro-secret-0123456789-XYZ
Y
java -jar $jar grant add --config $work/c.yaml --user alice --project-id 42 --reason r >/dev/null 2>&1
java -jar $jar serve --config $work/c.yaml > $work/out 2> $work/err &
pid=$!
for _ in $(seq 100); do grep -q "listening on" $work/out && break; sleep 0.2; done
port=$(grep -o 'listening on [^ ;]*' $work/out | sed 's/.*://')
url="http://127.0.0.1:$port/user-access?secret=repro-secret-0123456789-XYZ"
body="user=alice&project_id=42&redcap_url=https%3A%2F%2Fredcap.example.edu%2F"
curl -s -X POST $url --data-binary "$body" >/dev/null
echo "[$name] TCP ports the process listens on: $(ss -ltnpH | grep "pid=$pid," | awk '{print $4}' | tr '\n' ' ')"
echo "[$name] data dir: $(stat -c '%a %n' $work/data $work/data/* | tr '\n' ';')"
strace -f -qq -e trace=fsync,fdatasync -p $pid -o $work/strace 2>/dev/null & st=$!
sleep 1
for i in $(seq 50); do curl -s -X POST $url --data-binary "$body" >/dev/null; done
sleep 0.5; kill $st; wait $st 2>/dev/null
echo "[$name] fsync/fdatasync calls during 50 allow decisions: $(grep -c 'sync(' $work/strace)"
db=$(ls $work/data/store.mv.db $work/data/store.db 2>/dev/null | head -1)
rm -f "$db"
sleep 5
echo "[$name] 5 s after deleting $(basename $db): /health/ready $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/health/ready), answer $(curl -s -w ' (%{http_code})' -X POST $url --data-binary "$body")"
kill $pid; wait $pid 2>/dev/null; rm -rf $work
