#!/usr/bin/env bash
# Builds the agent and the demo application (only those), then runs the demo with the agent attached:
# it prints, hop by hop, the X-Amzn-Trace-Id the application set and the one that arrived, then the call tree of the
# balancer's Root from the hop log the agent wrote.
# Pass --no-agent to run the same demo without the agent, for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Only what the demo runs: the agent (and the modules it is made of) and the demo jar, not the benchmarks, the Spring
# Boot test application or the other agents and libraries the smoke tests copy (-Dalbtrace.demo, -Dmdep.skip).
# Without the colour resets (ESC[0m) Maven 3.8 writes even in batch mode, on stderr too; its exit status still counts.
mvn -B -q -DskipTests -Dalbtrace.demo -Dmdep.skip=true package -pl agent,smoke-tests -am 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
# With the agent, the demo also writes its hop log (README "Hop log"), and the call tree of the ALB's Root is printed
# from it at the end: the front's incoming requests, the calls it made, and the back's receiving line for each.
hops=smoke-tests/target/demo-hops.log
agent=(-javaagent:agent/target/albtrace-agent.jar -Dalbtrace.hoplog=$hops -Dalbtrace.service.name=demo)
if [ "${1:-}" = "--no-agent" ]; then
  exec java "${@:2}" -jar smoke-tests/target/albtrace-demo.jar
fi
rm -f "$hops"
status=0
java "${agent[@]}" "$@" -jar smoke-tests/target/albtrace-demo.jar || status=$?
echo
echo "== the call tree of Root 1-67891233-abcdef012345678912345678 (the ALB's), from the hop log $hops:"
java -jar agent/target/albtrace-agent.jar tree --root 1-67891233-abcdef012345678912345678 "$hops" || status=$?
exit $status
