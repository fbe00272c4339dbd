#!/usr/bin/env bash
# Microbenchmark of the decision engine (JMH): Decider.decide with a 20-rule policy on an
# in-memory store snapshot of 1, 10,000 and 1,000,000 grants, one thread, latency percentiles
# (Mode.SampleTime). Pinned to one core when taskset is available. A run takes about 3 minutes.
#
#   bench/jmh.sh                          # defaults: 3 x 5 s warm-up, 5 x 5 s measurement per grant count
#   ITERATIONS=10 bench/jmh.sh            # longer measurement
#   CPU=1 bench/jmh.sh -p grants=10000    # another core; extra arguments go to JMH
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -ntp -DskipTests test-compile
./mvnw -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
classpath="target/test-classes:target/classes:$(cat target/jmh-classpath.txt)"

pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "${CPU:-0}")   # the forked benchmark JVM inherits the affinity
fi
"${pin[@]}" java -cp "$classpath" org.openjdk.jmh.Main "${BENCHMARK:-DeciderBenchmark}" -t 1 -f 1 \
  -wi "${WARMUP:-3}" -w "${WARMUP_TIME:-5s}" -i "${ITERATIONS:-5}" -r "${TIME:-5s}" \
  -rf json -rff "target/jmh-${BENCHMARK:-DeciderBenchmark}.json" "$@"
