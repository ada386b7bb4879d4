#!/usr/bin/env bash
# Builds the agent and the demo application (only those), then runs the demo with the agent attached:
# it prints, hop by hop, the X-Amzn-Trace-Id the application set and the one that arrived.
# Pass --no-agent to run the same demo without the agent, for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Only what the demo runs: the agent (and the modules it is made of) and the demo jar, not the benchmarks, the Spring
# Boot test application or the other agents and libraries the smoke tests copy (-Dalbtrace.demo, -Dmdep.skip).
# Without the colour resets (ESC[0m) Maven 3.8 writes even in batch mode, on stderr too; its exit status still counts.
mvn -B -q -DskipTests -Dalbtrace.demo -Dmdep.skip=true package -pl agent,smoke-tests -am 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
agent=(-javaagent:agent/target/albtrace-agent.jar)
if [ "${1:-}" = "--no-agent" ]; then
  agent=()
  shift
fi
exec java "${agent[@]}" "$@" -jar smoke-tests/target/albtrace-demo.jar
