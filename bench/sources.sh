#!/usr/bin/env bash
# Microbenchmark of decisions with a fact source (JMH, see SourceDecisionBenchmark): the 20-rule
# policy alone (engine), with five ldap rules whose facts are cached (cached), with a lookup at
# UnboundID's in-memory directory on every decision (cold), and that lookup alone (lookup); one
# thread, latency percentiles, the options of bench/jmh.sh. Targets: cached p99 within 1.5x
# engine p99; cold adds no more than lookup.
#
#   bench/sources.sh                      # 3 x 5 s warm-up, 5 x 5 s measurement per mode
#   TIME=2s ITERATIONS=3 bench/sources.sh # shorter
BENCHMARK=SourceDecisionBenchmark exec "$(dirname "$0")/jmh.sh" "$@"
