#!/usr/bin/env bash
# Checks scripts/setup-podman.sh's mirror detection (detect_mirror) against fake apt source files in a temporary
# directory; touches nothing else. Run by hand: bash scripts/test-setup-podman.sh
set -euo pipefail
source "$(dirname "$0")/setup-podman.sh"

fails=0
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# check NAME EXPECTED: detect_mirror on the fake /etc/apt under $root prints EXPECTED.
check() {
  local got
  got=$(detect_mirror "$root")
  if [ "$got" = "$2" ]; then
    echo "ok   $1: $got"
  else
    echo "FAIL $1: expected $2, got $got"
    fails=$((fails + 1))
  fi
}
reset() { rm -rf "$root/etc"; mkdir -p "$root/etc/apt/sources.list.d"; }

reset
check "no sources at all" http://deb.debian.org/debian

reset
cat > "$root/etc/apt/sources.list.d/adoptium.sources" <<'EOF'
Types: deb
URIs: https://packages.adoptium.net/artifactory/deb
Suites: bookworm-adoptium
Components: main
EOF
cat > "$root/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
EOF
check "adoptium.sources sorts first but names another suite" http://mirror.example/debian

reset
cat > "$root/etc/apt/sources.list.d/docker.sources" <<'EOF'
Types: deb
URIs: https://download.docker.com/linux/debian
Suites: bookworm
Components: stable
Enabled: no

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
EOF
cat > "$root/etc/apt/sources.list.d/z.sources" <<'EOF'
Types: deb deb-src
URIs: http://second.example/debian http://third.example/debian
Suites: bookworm-updates
Suites: bookworm
EOF
check "disabled stanza and deb-src skipped; the first of several URIs" http://second.example/debian

reset
cat > "$root/etc/apt/sources.list" <<'EOF'
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://download.docker.com/linux/debian bookworm-docker stable
deb-src http://src.example/debian bookworm main
deb [ arch=amd64 ] http://list.example/debian bookworm main contrib
EOF
check "sources.list one-line format, options in brackets" http://list.example/debian

reset
cat > "$root/etc/apt/sources.list.d/security.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
EOF
echo "deb http://ppa.example/ubuntu jammy main" > "$root/etc/apt/sources.list.d/other.list"
check "only other suites: the default" http://deb.debian.org/debian

if [ "$fails" -gt 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all mirror checks passed"
