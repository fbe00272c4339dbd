#!/usr/bin/env bash
# Microbenchmark of decisions with a fact source (JMH): DeciderBenchmark's 20-rule policy alone
# (engine), with five ldap rules whose facts are cached (cached), with a lookup at UnboundID's
# in-memory directory on every decision (cold), and that lookup alone (lookup); one thread,
# latency percentiles. Targets: cached p99 within 1.5x engine p99; cold adds no more than lookup.
#
#   bench/sources.sh                      # 3 x 5 s warm-up, 5 x 5 s measurement per mode
#   TIME=2s ITERATIONS=3 bench/sources.sh # shorter
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -ntp -DskipTests test-compile
./mvnw -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
classpath="target/test-classes:target/classes:$(cat target/jmh-classpath.txt)"

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "${CPU:-0}")
fi
"${pin[@]}" java -cp "$classpath" org.openjdk.jmh.Main SourceDecisionBenchmark -t 1 -f 1 \
  -wi "${WARMUP:-3}" -w "${WARMUP_TIME:-5s}" -i "${ITERATIONS:-5}" -r "${TIME:-5s}" \
  -rf json -rff target/jmh-sources.json "$@"
