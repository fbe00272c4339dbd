#!/usr/bin/env bash
# A roster of ROWS rows (default 1,000,000): the time to load it and the heap it keeps, one copy
# and two (while a reload builds the new one beside the old), and a lookup's time
# (io.cdpaccess.bench.RosterLoad). HEAP (default 256m) is the JVM's -Xmx: the run fails with
# OutOfMemoryError when two copies do not fit in it.
#
#   bench/roster.sh
#   ROWS=2000000 HEAP=512m bench/roster.sh
#   OFFLINE=1 bench/roster.sh        # Maven offline (-o)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
HEAP=${HEAP:-256m}
mvn=(./mvnw -q -B -ntp)
[ "${OFFLINE:-0}" = 1 ] && mvn+=(-o)
"${mvn[@]}" -DskipTests test-compile
"${mvn[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
classpath="target/test-classes:target/classes:$(cat target/jmh-classpath.txt)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
java "-Xmx$HEAP" -cp "$classpath" io.cdpaccess.bench.RosterLoad "$ROWS" "$work"
