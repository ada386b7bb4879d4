#!/usr/bin/env bash
# Makes this machine able to run the container smoke tests (smoke-tests/.../ContainersIT) with Podman, the way
# ../shared/CONTAINERS.md describes it, and does only what is missing, so running it again costs a second or two:
#   1. podman, runc and debootstrap, installed with apt-get when one of them is not installed;
#   2. /etc/containers/containers.conf with runc as the runtime (crun fails here: "cgroups in hybrid mode not
#      supported") and no default ulimits (else every run fails: "setrlimit RLIMIT_NOFILE: Operation not
#      permitted"), written when absent; a file that lacks these settings gets them added, after a backup, and
#      the script says so; a file that has them is left alone;
#   3. the base image with a JRE (no registry is reachable: no FROM eclipse-temurin), made with debootstrap from
#      the Debian mirror apt already uses and `podman import`, when `podman image exists` says it is not there;
#   4. a check that a container really runs: `podman run --rm <base image> java -version`.
# Needs root, or sudo, for what steps 1-3 have to do (apt, /etc, debootstrap). Exits non-zero with the reason when it cannot.
# Called by scripts/test.sh unless ALBTRACE_CONTAINERS=0. Override the image name with ALBTRACE_BASE_IMAGE.
set -euo pipefail

BASE_IMAGE=${ALBTRACE_BASE_IMAGE:-localhost/albtrace-base-jre17:latest}
CONF=/etc/containers/containers.conf
SUITE=bookworm

say() { echo "[setup] $*"; }
die() {
  echo "[setup] ERROR: $*" >&2
  echo "[setup] the container smoke tests cannot run here; to build and test without them: ALBTRACE_CONTAINERS=0 bash scripts/test.sh" >&2
  exit 1
}

# Root is needed only for what is missing (apt, /etc, debootstrap): then root, or sudo without a password.
SUDO=()
need_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    die "not root, and sudo is not available without a password, $*"
  fi
}
as_root() { "${SUDO[@]}" "$@"; }

# 1. Packages.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in podman runc debootstrap; do
  if command -v dpkg-query >/dev/null 2>&1; then
    installed "$p" || missing+=("$p")
  else
    command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "${missing[*]} missing and there is no apt-get to install them"
  need_root "to install ${missing[*]} with apt-get"
  say "installing ${missing[*]} with apt-get"
  as_root apt-get update -q || die "apt-get update failed (exit $?)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap \
    || die "apt-get install podman runc debootstrap failed (exit $?)"
else
  say "podman, runc and debootstrap are installed"
fi
command -v podman >/dev/null 2>&1 || die "podman is still not on the PATH after installing it"
version=$(podman --version 2>&1) || die "podman does not work here: $version"
say "$version"

# 2. /etc/containers/containers.conf: [containers] default_ulimits = [] and [engine] runtime = "runc".
# has SECTION KEY VALUE_REGEX: the file sets KEY to a value matching VALUE_REGEX in [SECTION] (TOML, top level).
has() {
  awk -v sec="$1" -v key="$2" -v val="$3" '
    /^[[:space:]]*\[/ { s = $0; gsub(/^[[:space:]]*\[|\][[:space:]]*(#.*)?$/, "", s); cur = s; next }
    cur == sec && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
      v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[[:space:]]*(#.*)?$/, "", v)
      found = (v ~ ("^" val "$")) }
    END { exit found ? 0 : 1 }' "$CONF"
}
ulimits_ok() { has containers default_ulimits '\[[[:space:]]*\]'; }
runtime_ok() { has engine runtime '"runc"'; }
[ -e "$CONF" ] && ulimits_ok && runtime_ok || need_root "to write $CONF"
if [ ! -e "$CONF" ]; then
  say "writing $CONF: runtime runc, no default ulimits"
  as_root mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' | as_root tee "$CONF" >/dev/null \
    || die "cannot write $CONF"
elif ulimits_ok && runtime_ok; then
  say "$CONF already sets runtime = \"runc\" and default_ulimits = []: left as it is"
else
  backup="$CONF.before-albtrace.$(date +%Y%m%d%H%M%S)"
  as_root cp -p "$CONF" "$backup" || die "cannot back up $CONF"
  say "$CONF exists but lacks runtime = \"runc\" and/or default_ulimits = []: adding them (replacing other values"
  say "of those two keys); your previous file is kept as $backup"
  # Drop these two keys where they are, then put ours right under their section headers (added when absent).
  tmp=$(mktemp)
  awk '
    /^[[:space:]]*\[/ { s = $0; gsub(/^[[:space:]]*\[|\][[:space:]]*(#.*)?$/, "", s); cur = s; print
      if (cur == "containers") { print "default_ulimits = []  # albtrace: see scripts/setup-podman.sh"; c = 1 }
      if (cur == "engine") { print "runtime = \"runc\"  # albtrace: see scripts/setup-podman.sh"; e = 1 }
      next }
    cur == "containers" && /^[[:space:]]*default_ulimits[[:space:]]*=/ { skip = ($0 ~ /\[[^]]*$/); next }
    skip { if ($0 ~ /\]/) skip = 0; next }
    cur == "engine" && /^[[:space:]]*runtime[[:space:]]*=/ { next }
    { print }
    END {
      if (!c) { print "[containers]"; print "default_ulimits = []  # albtrace: see scripts/setup-podman.sh" }
      if (!e) { print "[engine]"; print "runtime = \"runc\"  # albtrace: see scripts/setup-podman.sh" } }' \
    "$CONF" > "$tmp"
  as_root cp "$tmp" "$CONF" || die "cannot write $CONF"
  rm -f "$tmp"
  { ulimits_ok && runtime_ok; } || die "$CONF still lacks the settings after editing it; see $backup"
fi

# 3. The base image: Debian $SUITE (minbase) with openjdk-17-jre-headless, from the mirror apt uses.
exists=0
podman image exists "$BASE_IMAGE" || exists=$?
if [ "$exists" -eq 0 ]; then
  say "base image $BASE_IMAGE exists: reused"
elif [ "$exists" -ne 1 ]; then
  die "podman image exists $BASE_IMAGE failed (exit $exists): podman does not work here"
else
  need_root "to build the base image's root file system with debootstrap"
  mirror=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] && mirror=$(awk '/^URIs:/{print $2; exit}' "$f") && [ -n "$mirror" ] && break
  done
  if [ -z "$mirror" ] && [ -e /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d /var/tmp/albtrace-rootfs.XXXXXX)
  trap 'as_root rm -rf "$rootfs"' EXIT
  say "building base image $BASE_IMAGE: debootstrap $SUITE with openjdk-17-jre-headless from $mirror (about a minute)"
  started=$SECONDS
  as_root debootstrap --variant=minbase --include=openjdk-17-jre-headless "$SUITE" "$rootfs" "$mirror" \
    > "$rootfs.log" 2>&1 || { tail -n 20 "$rootfs.log" >&2; die "debootstrap failed (log above, full log in $rootfs.log)"; }
  as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  as_root tar -C "$rootfs" -c . | podman import -q --change 'CMD ["java", "-version"]' \
    --message "albtrace base: Debian $SUITE minbase with openjdk-17-jre-headless (scripts/setup-podman.sh)" \
    - "$BASE_IMAGE" >/dev/null || die "podman import of the debootstrap root file system failed"
  rm -f "$rootfs.log"
  say "base image $BASE_IMAGE built in $((SECONDS - started)) s"
fi

# 4. A container runs, with a JRE (this fails when the runtime or the ulimits are wrong).
if ! out=$(timeout 120 podman run --rm "$BASE_IMAGE" java -version 2>&1); then
  echo "$out" >&2
  die "podman run --rm $BASE_IMAGE java -version failed (output above)"
fi
say "podman run works: ${out%%$'\n'*}"
