#!/usr/bin/env bash
# Runs every test: unit and module tests (JDK 17, and Temurin 25 when installed), then the smoke tests
# that start separate JVMs with the built agent jar. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
mvn -B verify "$@"
