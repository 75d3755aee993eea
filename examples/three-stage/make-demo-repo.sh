#!/usr/bin/env bash
# Makes the demo GitOps repository the example pipeline promotes into:
# /tmp/shunt-demo/gitops.git (bare), with env/{dev,staging,prod}/kustomization.yaml and values.yaml.
set -euo pipefail
dest=${1:-/tmp/shunt-demo}
rm -rf "$dest" && mkdir -p "$dest"
work=$(mktemp -d)
git init -q -b main "$work"
for env in dev staging prod; do
  mkdir -p "$work/env/$env"
  cat > "$work/env/$env/kustomization.yaml" <<YAML
# $env: the app as Argo CD deploys it
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base # shared manifests
images:
  - name: ghcr.io/example/app
    newTag: 0.0.1 # set by Shunt
YAML
  cat > "$work/env/$env/values.yaml" <<YAML
# values for $env
replicas: 1
image:
  repository: ghcr.io/example/app
  tag: "0.0.1" # set by Shunt
YAML
done
git -C "$work" add -A
git -C "$work" -c user.name=demo -c user.email=demo@example.com commit -q -m "initial layout"
git clone -q --bare "$work" "$dest/gitops.git"
rm -rf "$work"
echo "demo GitOps repository: file://$dest/gitops.git"
