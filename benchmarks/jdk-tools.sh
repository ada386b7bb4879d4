#!/usr/bin/env bash
# What the agent in JAVA_TOOL_OPTIONS costs a JDK tool: `keytool -help` and `jcmd -l`, each run N times with and
# without JAVA_TOOL_OPTIONS=-javaagent:<agent jar>, interleaved (and, for reference, with an agent whose premain does
# nothing: what any -javaagent costs the JVM). Prints the medians of wall time and of CPU time (user + sys) per JDK.
#
#   bash benchmarks/jdk-tools.sh [N]        (from anywhere; N defaults to 21, at least 15)
#
# Needs the built agent jar (mvn -B install -DskipTests). JDKs: the one on PATH (or JAVA_HOME) and Temurin 25 at
# /usr/lib/jvm/temurin-25-jdk-amd64 when installed; JDKS="/path/one /path/two" overrides. COMPARE=<another agent
# jar> adds a variant with that jar (e.g. one built from an earlier commit), in the same interleaved runs.
# Never run by the build.
set -euo pipefail

cd "$(dirname "$0")/.."
N=${1:-21}
if [ "$N" -lt 15 ]; then
    echo "N must be at least 15" >&2
    exit 2
fi
AGENT=$PWD/agent/target/albtrace-agent.jar
if [ ! -f "$AGENT" ]; then
    echo "no $AGENT: build it first (mvn -B install -DskipTests)" >&2
    exit 2
fi
VARIANTS="none agent empty"
if [ -n "${COMPARE:-}" ]; then
    COMPARE=$(readlink -f "$COMPARE")
    if [ ! -f "$COMPARE" ]; then
        echo "COMPARE: no such jar" >&2
        exit 2
    fi
    VARIANTS="$VARIANTS compare"
fi
if [ -z "${JDKS:-}" ]; then
    if [ -n "${JAVA_HOME:-}" ]; then
        JDKS=$JAVA_HOME
    else
        JDKS=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    fi
    if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && [ "$JDKS" != /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
        JDKS="$JDKS /usr/lib/jvm/temurin-25-jdk-amd64"
    fi
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=common.sh
source benchmarks/common.sh

# The reference agent: a premain that does nothing, built with the first JDK.
first=${JDKS%% *}
EMPTY=$(empty_agent "$WORK" "$first/bin/java")

# run VARIANT TOOL ARGS...: one timed run, wall and CPU (ms) appended to $WORK/<tool>.<variant>.{wall,cpu}
run() {
    local variant=$1 tool=$2 name
    shift 2
    name=$(basename "$tool")
    local opts=""
    case $variant in
        agent) opts="-javaagent:$AGENT" ;;
        empty) opts="-javaagent:$EMPTY" ;;
        compare) opts="-javaagent:$COMPARE" ;;
    esac
    local TIMEFORMAT="%3R %3U %3S" t status=0
    # bash's time: wall, and the user and sys time of the tool's process, in ms
    if [ -n "$opts" ]; then
        t=$( { time env JAVA_TOOL_OPTIONS="$opts" "$tool" "$@" >/dev/null 2>&1; } 2>&1 ) || status=$?
    else
        t=$( { time env -u JAVA_TOOL_OPTIONS "$tool" "$@" >/dev/null 2>&1; } 2>&1 ) || status=$?
    fi
    if [ "$status" -ne 0 ]; then
        echo "$name $* ($variant) failed with exit code $status" >&2
        exit 1
    fi
    echo "$t" | awk '{ printf "%.0f\n", $1 * 1000 }' >> "$WORK/$name.$variant.wall"
    echo "$t" | awk '{ printf "%.0f\n", ($2 + $3) * 1000 }' >> "$WORK/$name.$variant.cpu"
}

echo "albtrace: JDK tools with the agent in JAVA_TOOL_OPTIONS, $N runs of each variant, interleaved; medians"
echo "agent: $AGENT ($(stat -c %s "$AGENT") bytes)"
if [ -n "${COMPARE:-}" ]; then
    echo "compared with: $COMPARE ($(stat -c %s "$COMPARE") bytes)"
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
for jdk in $JDKS; do
    rm -f "$WORK"/*.wall "$WORK"/*.cpu
    version=$("$jdk/bin/java" -version 2>&1 | head -1)
    # the agent really starts in the tool: its core classes are defined
    if ! JAVA_TOOL_OPTIONS="-javaagent:$AGENT -Xlog:class+load" "$jdk/bin/keytool" -help 2>/dev/null \
            | grep -q 'io.albtrace.core.Outgoing '; then
        echo "the agent did not start in keytool on $jdk" >&2
        exit 1
    fi
    for i in $(seq "$N"); do
        for variant in $VARIANTS; do
            run "$variant" "$jdk/bin/keytool" -help
            run "$variant" "$jdk/bin/jcmd" -l
        done
    done
    echo
    echo "## $jdk: $version (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
    echo
    echo "| tool | variant | wall, ms | added wall | wall ratio | CPU user+sys, ms | added CPU | CPU ratio |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for tool in keytool jcmd; do
        base_wall=$(median "$WORK/$tool.none.wall")
        base_cpu=$(median "$WORK/$tool.none.cpu")
        for variant in $VARIANTS; do
            wall=$(median "$WORK/$tool.$variant.wall")
            cpu=$(median "$WORK/$tool.$variant.cpu")
            label=$variant
            case $variant in
                none) label="no agent" ;;
                agent) label="albtrace" ;;
                empty) label="empty premain (reference)" ;;
                compare) label="COMPARE jar" ;;
            esac
            awk -v t="$tool" -v l="$label" -v w="$wall" -v bw="$base_wall" -v c="$cpu" -v bc="$base_cpu" 'BEGIN {
                printf "| %s | %s | %d | %+d | %.2f | %d | %+d | %.2f |\n", t, l, w, w - bw, w / bw, c, c - bc, c / bc }'
        done
    done
done
