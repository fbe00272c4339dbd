#!/usr/bin/env bash
# Microbenchmark of the decision log alone (JMH): DecisionLog.append on a fresh embedded SQLite
# store under target/ (WAL, synchronous=FULL, pool of 4, busy timeout 1 s), 64 threads each
# appending one distinct allow record with a real 20-rule explanation and waiting for its group
# commit, as request threads do. Throughput in decisions/s; any append not committed fails the
# run. Not pinned: the writer thread, SQLite's fsyncs and the waiting threads need more than one
# core, as in the service. A run takes about 1.5 minutes.
#
#   bench/decision-log.sh                     # defaults: 3 x 5 s warm-up, 5 x 5 s measurement, 64 threads
#   ITERATIONS=10 bench/decision-log.sh       # longer measurement
#   bench/decision-log.sh -t 16               # fewer threads; extra arguments go to JMH (-prof jfr, ...)
#   OFFLINE=1 bench/decision-log.sh           # Maven offline (-o)
set -euo pipefail
cd "$(dirname "$0")/.."

mvn=(./mvnw -q -B -ntp)
[ "${OFFLINE:-0}" = 1 ] && mvn+=(-o)
"${mvn[@]}" -DskipTests test-compile
"${mvn[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
classpath="target/test-classes:target/classes:$(cat target/jmh-classpath.txt)"

java -cp "$classpath" org.openjdk.jmh.Main DecisionLogBenchmark -f 1 -foe true \
  -wi "${WARMUP:-3}" -w "${WARMUP_TIME:-5s}" -i "${ITERATIONS:-5}" -r "${TIME:-5s}" \
  -rf json -rff target/jmh-decision-log.json "$@"
