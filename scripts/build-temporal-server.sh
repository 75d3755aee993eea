#!/usr/bin/env bash
# Builds the Temporal server and temporal-sql-tool that the cluster suite (test/cluster) and
# docker-compose.yml run, once per machine, from the Go module proxy. The result is cached outside
# the clone, keyed by version:
#   $SHUNT_TOOLS_CACHE/temporal-server-<version>/{bin/temporal-server,bin/temporal-sql-tool,VERSION}
# (temporal-sql-tool carries the schema files; deploy/temporal/setup-schema.sh uses them).
# ($SHUNT_TOOLS_CACHE defaults to /var/cache/shunt-tools when writable, else ~/.cache/shunt-tools).
# Idempotent (a finished build is reused), atomic (built in a temporary dir, renamed into place) and
# safe for concurrent runs (one flock per version). A cold build takes ~12 min on 2 idle cores and
# ~1.6 GB of memory; a warm Go build cache makes it seconds.
#
# Usage: scripts/build-temporal-server.sh          build if needed; prints the cache dir
#        scripts/build-temporal-server.sh --print  print the cache dir if it is built, else exit 1
set -euo pipefail

# The one place the version is pinned: the cluster suite reads it here, and
# test/unit/docker-compose.test.ts checks that docker-compose.yml's images use the same.
VERSION=1.30.8

cache_root() {
  if [ -n "${SHUNT_TOOLS_CACHE:-}" ]; then echo "$SHUNT_TOOLS_CACHE"; return; fi
  if mkdir -p /var/cache/shunt-tools 2>/dev/null && [ -w /var/cache/shunt-tools ]; then
    echo /var/cache/shunt-tools
  else
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/shunt-tools"
  fi
}
root=$(cache_root)
dest="$root/temporal-server-$VERSION"

built() { [ -x "$dest/bin/temporal-server" ] && [ -x "$dest/bin/temporal-sql-tool" ] && [ -f "$dest/VERSION" ]; }

if [ "${1:-}" = "--print" ]; then
  built && { echo "$dest"; exit 0; }
  exit 1
fi
if built; then echo "$dest"; exit 0; fi

GO=${GO:-$(command -v go || true)}
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  echo "build-temporal-server: Go is not installed; install Go 1.26+ (https://go.dev) to build Temporal server v$VERSION" >&2
  exit 1
fi

mkdir -p "$root"
exec 9>"$root/.temporal-server-$VERSION.lock"
flock 9
# Another run may have finished the build while this one waited for the lock.
if built; then echo "$dest"; exit 0; fi

tmp=$(mktemp -d "$root/.temporal-server-$VERSION.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "build-temporal-server: building Temporal server v$VERSION and temporal-sql-tool with go install (~12 min cold, once per machine)" >&2
start=$(date +%s)
GOBIN="$tmp/bin" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath" "$GO" install \
  "go.temporal.io/server/cmd/server@v$VERSION" "go.temporal.io/server/cmd/tools/sql@v$VERSION" >&2
mv "$tmp/bin/server" "$tmp/bin/temporal-server"
mv "$tmp/bin/sql" "$tmp/bin/temporal-sql-tool"
echo "$VERSION" >"$tmp/VERSION"
chmod 755 "$tmp"
mv -T "$tmp" "$dest"
trap - EXIT
echo "build-temporal-server: built in $(( $(date +%s) - start )) s into $dest" >&2
echo "$dest"
