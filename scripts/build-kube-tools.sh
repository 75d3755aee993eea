#!/usr/bin/env bash
# Builds, once per machine, the real Kubernetes and Argo CD servers the real-kube end-to-end suites
# start (test/support/real-kube/), from the Go module proxy, into a cache outside the clone keyed by
# version. A second run finds them there and takes a second; two concurrent runs take turns (flock)
# and every build goes to a temporary directory renamed into place when complete.
#
#   kube-apiserver, kube-controller-manager, kube-scheduler   k8s.io/kubernetes $KUBE_VERSION
#   argocd (application controller, repo-server, askpass)     github.com/argoproj/argo-cd/v3 $ARGOCD_VERSION
#   kwok                                                      sigs.k8s.io/kwok $KWOK_VERSION
#   CRDs: Argo CD's Application, Argo Rollouts' AnalysisRun/AnalysisTemplate (from the module sources)
# etcd and redis come from Debian (etcd-server, redis-server in .ci/apt-packages); this script checks
# they are there.
#
# Usage: scripts/build-kube-tools.sh            build what is missing, print the cache directory
#        scripts/build-kube-tools.sh argocd     only that one (kubernetes, argocd, kwok, rollouts-crds)
#        (run it under `nice -n 10` on a shared machine: .ci/run does)
#        scripts/build-kube-tools.sh --check    only say whether everything is built (exit 1 if not)
# Env:   SHUNT_TOOLS_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/shunt/tools), GO (default: go on PATH
#        or /usr/local/go/bin/go).
set -euo pipefail

KUBE_VERSION=v1.37.2
ARGOCD_VERSION=v3.6.2
# Argo CD's and Argo Rollouts' go.mod ask for a newer Go than Debian's or /usr/local/go may be; go fetches
# this toolchain through the module proxy.
GO_TOOLCHAIN=go1.27.3
KWOK_VERSION=v0.8.0
ROLLOUTS_VERSION=v1.10.2

CACHE="${SHUNT_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shunt/tools}"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

log() { echo "build-kube-tools: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

have() { [ -f "$CACHE/$1/.complete" ]; }

if [ "${1:-}" = "--check" ]; then
  missing=()
  for d in "kubernetes-$KUBE_VERSION" "argocd-$ARGOCD_VERSION" "kwok-$KWOK_VERSION" "argo-rollouts-crds-$ROLLOUTS_VERSION"; do
    have "$d" || missing+=("$d")
  done
  command -v etcd >/dev/null || missing+=("etcd (Debian etcd-server)")
  command -v redis-server >/dev/null || missing+=("redis-server (Debian redis-server)")
  [ ${#missing[@]} -eq 0 ] && { echo "$CACHE"; exit 0; }
  echo "not built: ${missing[*]}" >&2
  exit 1
fi

[ -x "$GO" ] || die "Go is not installed (looked for go on PATH and /usr/local/go/bin/go); install Go >= 1.26 to build the real Kubernetes and Argo CD servers"
command -v etcd >/dev/null || die "etcd is not installed: apt-get install etcd-server"
command -v redis-server >/dev/null || die "redis-server is not installed: apt-get install redis-server"
command -v kubectl >/dev/null || die "kubectl is not installed: apt-get install kubectl"
mkdir -p "$CACHE"
export CGO_ENABLED=0 GOTOOLCHAIN=$GO_TOOLCHAIN

# A build interrupted half-way leaves no temporary directory behind.
CURRENT_TMP=
trap '[ -z "$CURRENT_TMP" ] || rm -rf "$CURRENT_TMP"' EXIT

# build NAME FUNCTION: runs FUNCTION OUT_DIR under an exclusive lock unless $CACHE/NAME is complete.
build() {
  local name=$1 fn=$2 start tmp
  have "$name" && return 0
  exec {lock}>"$CACHE/.$name.lock"
  flock "$lock"
  if have "$name"; then flock -u "$lock"; return 0; fi
  start=$(date +%s)
  log "building $name (once per machine; minutes when Go's build cache is cold)"
  tmp=$(mktemp -d "$CACHE/.$name.XXXXXX")
  CURRENT_TMP=$tmp
  if ! (cd "$tmp" && "$fn" "$tmp/out"); then
    rm -rf "$tmp"
    flock -u "$lock"
    die "building $name failed (see the output above)"
  fi
  touch "$tmp/out/.complete"
  rm -rf "${CACHE:?}/$name"
  mv "$tmp/out" "$CACHE/$name"
  rm -rf "$tmp"
  CURRENT_TMP=
  flock -u "$lock"
  log "built $name in $(($(date +%s) - start)) s"
}

# A module that cannot be `go install`ed because its go.mod replaces modules with local paths is built
# from a wrapper module requiring it: each local replace becomes the published module at $2
# (when the proxy serves it), each versioned replace is copied as is.
wrapper_gomod() { # MODULE VERSION STAGING_VERSION
  local module=$1 version=$2 staging=$3 modfile line from to
  modfile=$("$GO" mod download -json "$module@$version" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  [ -f "$modfile" ] || die "go mod download $module@$version gave no go.mod"
  {
    echo "module wrapper"
    echo
    echo "go $(sed -n 's/^go \([0-9.]*\)$/\1/p' "$modfile")"
    echo
    echo "require $module $version"
    echo
  } >go.mod
  # The replace lines, whether in a block or one per line.
  sed -n -e 's/^replace[[:space:]]\+\([^(].*=>.*\)$/\1/p' -e '/^replace[[:space:]]*($/,/^)$/{/=>/p}' "$modfile" |
    sed 's,//.*,,' | while read -r line; do
      from=$(echo "$line" | awk '{print $1}')
      to=$(echo "$line" | sed 's/.*=>[[:space:]]*//')
      case "$to" in
        ./*|../*)
          [ -n "$staging" ] || continue
          if "$GO" mod download "$from@$staging" >/dev/null 2>&1; then
            echo "replace $from => $from $staging" >>go.mod
          else
            log "$from@$staging is not on the module proxy; left out"
          fi
          ;;
        *) echo "replace $from => $to" >>go.mod ;;
      esac
    done
}

module_dir() { # MODULE@VERSION: where the module's source is, downloading it
  local dir
  dir=$("$GO" mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  [ -d "$dir" ] || die "go mod download $1 failed: $("$GO" mod download -json "$1" | grep '"Error"')"
  echo "$dir"
}

tools_file() { # PACKAGE...
  { echo '//go:build tools'; echo; echo 'package tools'; echo; echo 'import ('
    for p in "$@"; do echo "	_ \"$p\""; done; echo ')'; } >tools.go
}

build_kubernetes() {
  local out=$1
  wrapper_gomod k8s.io/kubernetes "$KUBE_VERSION" "v0${KUBE_VERSION#v1}"
  local cmds=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  tools_file "${cmds[@]}"
  "$GO" mod tidy
  mkdir -p "$out/bin"
  "$GO" build -trimpath -o "$out/bin/" "${cmds[@]}"
}

build_argocd() {
  local out=$1 src
  wrapper_gomod github.com/argoproj/argo-cd/v3 "$ARGOCD_VERSION" ""
  tools_file github.com/argoproj/argo-cd/v3/cmd
  "$GO" mod tidy
  mkdir -p "$out/bin" "$out/crds"
  "$GO" build -trimpath -o "$out/bin/argocd" github.com/argoproj/argo-cd/v3/cmd
  # One binary; it acts as the command named by argv[0].
  for name in argocd-application-controller argocd-repo-server argocd-git-ask-pass; do ln -s argocd "$out/bin/$name"; done
  src=$("$GO" list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)
  # The repo-server runs this before every git operation.
  install -m 0755 "$src/hack/git-verify-wrapper.sh" "$out/bin/git-verify-wrapper.sh"
  cp "$src/manifests/crds/application-crd.yaml" "$src/manifests/crds/appproject-crd.yaml" "$out/crds/"
  # The repo-server runs `kustomize build`; kubectl carries kustomize.
  cat >"$out/bin/kustomize" <<'EOF'
#!/bin/sh
# kustomize over kubectl's built-in copy (Debian packages no kustomize).
case "$1" in
  version) kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p' ;;
  build) shift; exec kubectl kustomize "$@" ;;
  *) echo "kustomize shim: only 'build' and 'version' are supported" >&2; exit 1 ;;
esac
EOF
  chmod 0755 "$out/bin/kustomize"
}

build_kwok() {
  local out=$1 src
  mkdir -p "$out/bin"
  GOBIN="$out/bin" "$GO" install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  src=$(module_dir "sigs.k8s.io/kwok@$KWOK_VERSION")
  kubectl kustomize "$src/kustomize/stage/fast" >"$out/stages-fast.yaml"
}

build_rollouts_crds() {
  local out=$1 src
  src=$(module_dir "github.com/argoproj/argo-rollouts@$ROLLOUTS_VERSION")
  mkdir -p "$out/crds"
  cp "$src/manifests/crds/analysis-run-crd.yaml" "$src/manifests/crds/analysis-template-crd.yaml" "$out/crds/"
}

"$GO" env GOPROXY >/dev/null
ONLY=("$@")
# Every tool when no name is given.
wanted() { [ ${#ONLY[@]} -eq 0 ] || [[ " ${ONLY[*]} " == *" $1 "* ]]; }
wanted rollouts-crds && build "argo-rollouts-crds-$ROLLOUTS_VERSION" build_rollouts_crds
wanted kwok && build "kwok-$KWOK_VERSION" build_kwok
wanted kubernetes && build "kubernetes-$KUBE_VERSION" build_kubernetes
wanted argocd && build "argocd-$ARGOCD_VERSION" build_argocd
echo "$CACHE"
