#!/usr/bin/env bash
# End-to-end run against a real Kubernetes (kind) and a real Argo CD, for machines with Docker.
#
# It has NOT been run on the project's development machines (no Docker engine there); the
# automated tests use test/support/fake-kube instead. Expect to adjust it on first use.
#
# What it does:
#   1. creates a kind cluster and installs Argo CD (ARGOCD_VERSION) into namespace argocd;
#   2. makes a small GitOps repository (a Deployment of registry.k8s.io/pause) and serves it
#      with `git daemon` on the Docker network's gateway, where Argo CD can reach it;
#   3. creates the Argo CD Application demo-dev, authorized for stage demo:dev;
#   4. starts Shunt (`npm start`) with KUBECONFIG pointing at the kind cluster;
#   5. applies a pipeline whose dev stage runs git-clone, kustomize-set-image, git-commit,
#      git-push, argocd-update and argocd-wait; applies Freight; promotes it with the CLI;
#   6. checks that Argo CD reports the app Synced to the pushed commit and Healthy.
# Everything is torn down on exit unless KEEP=1.
#
# Needs: docker, kind, kubectl, git, node/npm (npm install done). Usage: scripts/e2e-kind.sh
set -euo pipefail

ARGOCD_VERSION=${ARGOCD_VERSION:-v2.13.3}
CLUSTER=${CLUSTER:-shunt-e2e}
GIT_PORT=${GIT_PORT:-9418}
SHUNT_PORT=${SHUNT_PORT:-18080}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()

for tool in docker kind kubectl git node npm; do
  command -v "$tool" >/dev/null || { echo "e2e-kind: $tool is required and not on PATH" >&2; exit 2; }
done
docker info >/dev/null 2>&1 || { echo "e2e-kind: no Docker engine answers (docker info failed)" >&2; exit 2; }

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" != 1 ]; then
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
    rm -rf "$work"
  else
    echo "e2e-kind: KEEP=1: cluster $CLUSTER and $work left in place"
  fi
}
trap cleanup EXIT

echo "== kind cluster $CLUSTER"
kind create cluster --name "$CLUSTER" --wait 120s
kubeconfig="$work/kubeconfig"
kind get kubeconfig --name "$CLUSTER" >"$kubeconfig"
export KUBECONFIG="$kubeconfig"

echo "== Argo CD $ARGOCD_VERSION"
kubectl create namespace argocd
kubectl apply -n argocd -f "https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/install.yaml"
kubectl -n argocd rollout status deployment/argocd-repo-server --timeout=300s
kubectl -n argocd rollout status statefulset/argocd-application-controller --timeout=300s

echo "== GitOps repository, served by git daemon"
gateway=$(docker network inspect kind -f '{{(index .IPAM.Config 0).Gateway}}')
src="$work/src"
git init -q -b main "$src"
mkdir -p "$src/base" "$src/env/dev"
cat >"$src/base/deployment.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 1
  selector:
    matchLabels: { app: app }
  template:
    metadata:
      labels: { app: app }
    spec:
      containers:
        - name: app
          image: registry.k8s.io/pause:3.9
YAML
printf 'resources:\n  - deployment.yaml\n' >"$src/base/kustomization.yaml"
cat >"$src/env/dev/kustomization.yaml" <<'YAML'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: registry.k8s.io/pause
    newTag: "3.9"
YAML
git -C "$src" add -A
git -C "$src" -c user.name=demo -c user.email=demo@example.com commit -q -m "initial layout"
mkdir -p "$work/git"
git clone -q --bare "$src" "$work/git/gitops.git"
git daemon --reuseaddr --export-all --enable=receive-pack --base-path="$work/git" \
  --listen=0.0.0.0 --port="$GIT_PORT" "$work/git" &
pids+=($!)
repo="git://$gateway:$GIT_PORT/gitops.git"

echo "== Application demo-dev"
kubectl create namespace demo
kubectl apply -f - <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: demo-dev
  namespace: argocd
  annotations:
    kargo.akuity.io/authorized-stage: demo:dev
spec:
  project: default
  source:
    repoURL: $repo
    path: env/dev
    targetRevision: main
  destination:
    server: https://kubernetes.default.svc
    namespace: demo
YAML

echo "== Shunt"
cat >"$work/pipeline.yaml" <<YAML
apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata:
  name: demo
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata:
  name: app
  namespace: demo
spec:
  subscriptions:
    - image:
        repoURL: registry.k8s.io/pause
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: dev
  namespace: demo
spec:
  requestedFreight:
    - origin: { kind: Warehouse, name: app }
      sources: { direct: true }
  promotionTemplate:
    spec:
      steps:
        - uses: git-clone
          config:
            repoURL: $repo
            checkout: [{ branch: main, path: ./repo }]
        - uses: kustomize-set-image
          as: update-image
          config:
            path: ./repo/env/dev
            images: [{ image: registry.k8s.io/pause }]
        - uses: git-commit
          config:
            path: ./repo
            message: \${{ outputs['update-image'].commitMessage }}
        - uses: git-push
          as: push
          config:
            path: ./repo
        - uses: argocd-update
          config:
            apps:
              - name: demo-dev
                sources:
                  - repoURL: $repo
                    desiredRevision: \${{ outputs.push.commit }}
        - uses: argocd-wait
          config:
            apps:
              - name: demo-dev
                revision: \${{ outputs.push.commit }}
YAML
cat >"$work/freight.yaml" <<'YAML'
apiVersion: kargo.akuity.io/v1alpha1
kind: Freight
metadata:
  namespace: demo
origin: { kind: Warehouse, name: app }
images:
  - repoURL: registry.k8s.io/pause
    tag: "3.10"
YAML
(cd "$root" && SHUNT_DATA_DIR="$work/shunt" SHUNT_PORT=$SHUNT_PORT SHUNT_CONFIG="$work/pipeline.yaml" \
  KUBECONFIG="$kubeconfig" npm start >"$work/shunt.log" 2>&1) &
pids+=($!)
export SHUNT_SERVER="http://127.0.0.1:$SHUNT_PORT"
for _ in $(seq 1 120); do
  curl -fsS "$SHUNT_SERVER/api/v1/projects/demo/stages" >/dev/null 2>&1 && break
  sleep 1
done
(cd "$root" && npx shunt apply -f "$work/freight.yaml")
freight=$(curl -fsS "$SHUNT_SERVER/api/v1/projects/demo/freight" | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).items[0].metadata.name))')

echo "== promote $freight into dev"
(cd "$root" && npx shunt promote --project demo --stage dev --freight "$freight" --wait --timeout 10m)

head=$(git --git-dir "$work/git/gitops.git" rev-parse main)
synced=$(kubectl -n argocd get application demo-dev -o jsonpath='{.status.sync.revision}')
health=$(kubectl -n argocd get application demo-dev -o jsonpath='{.status.health.status}')
echo "pushed $head; Argo CD synced $synced, health $health"
[ "$synced" = "$head" ] && [ "$health" = Healthy ] || { echo "e2e-kind: FAILED (see $work/shunt.log)" >&2; KEEP=1; exit 1; }
echo "e2e-kind: OK"
