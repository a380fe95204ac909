#!/usr/bin/env bash
# Runs the cluster benchmarks of BENCHMARKS.md § Cluster (io.quiver.cluster.ConsensusBenchmark, in cluster's test
# sources): ./cluster/run-benchmark.sh [throughput] [latency] [failover] [catchup]   (default: all)
# the data-plane benchmark (io.quiver.cluster.DataPlaneBenchmark): ./cluster/run-benchmark.sh data, and the
# shard-transfer benchmark (io.quiver.cluster.ShardTransferBenchmark): ./cluster/run-benchmark.sh transfer, and the
# Listener write-latency benchmark (io.quiver.cluster.ListenerLatencyBenchmark): ./cluster/run-benchmark.sh listener
# System properties via JAVA_OPTS, e.g. JAVA_OPTS="-Dbench.entries=100000 -Dbench.ops=5000 -Dbench.log=WAL".
# Compiles main code with Maven and cluster's test sources with javac (so other modules' tests need not compile).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
CP_FILE="$PWD/cluster/target/benchmark.classpath"
OUT="$PWD/cluster/target/benchmark-classes"
./mvnw -B -q -o -pl cluster -am compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
CP="cluster/target/classes:$(cat "$CP_FILE")"
rm -rf "$OUT" && mkdir -p "$OUT"
"$JAVA_HOME/bin/javac" -nowarn -d "$OUT" -cp "$CP" $(find cluster/src/test/java -name '*.java')
cp -r cluster/src/test/resources/. "$OUT/"
FLAGS=$(grep -m1 '<quiver.jvm.flags>--' pom.xml | sed 's:.*<quiver.jvm.flags>\(.*\)</quiver.jvm.flags>.*:\1:')
MAIN=io.quiver.cluster.ConsensusBenchmark
if [ "${1:-}" = "data" ]; then
  MAIN=io.quiver.cluster.DataPlaneBenchmark
  shift
elif [ "${1:-}" = "transfer" ]; then
  MAIN=io.quiver.cluster.ShardTransferBenchmark
  shift
elif [ "${1:-}" = "listener" ]; then
  MAIN=io.quiver.cluster.ListenerLatencyBenchmark
  shift
fi
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" -Xmx2g $FLAGS -Dquiver.jvm.flags="$FLAGS" ${JAVA_OPTS:-} \
  -cp "$OUT:$CP" "$MAIN" "$@"
