#!/usr/bin/env bash
# Builds the agent and the demo application, then runs the demo with the agent attached:
# it prints, hop by hop, the X-Amzn-Trace-Id the application set and the one that arrived.
# Pass --no-agent to run the same demo without the agent, for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
mvn -B -q -DskipTests package
agent=(-javaagent:agent/target/albtrace-agent.jar)
if [ "${1:-}" = "--no-agent" ]; then
  agent=()
  shift
fi
exec java "${agent[@]}" "$@" -jar smoke-tests/target/albtrace-demo.jar
