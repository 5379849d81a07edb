#!/usr/bin/env bash
# Builds the lab's control plane (kube: etcd, apiserver, controller-manager,
# scheduler; and kwok) from Go modules, once, into a cache folder keyed by the
# pinned versions. Prints the cache folder on its last line.
# Env: OPERATOR_CHAOS_CACHE (default ~/.cache/operator-chaos), GO (default: go on PATH).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$here/kube"
GO="${GO:-go}"
k8s_version=$(sed -n 's/^\s*k8s.io\/kubernetes \(v[^ ]*\).*/\1/p' "$module/go.mod" | head -1)
kwok_version=$(sed -n 's/^\s*sigs.k8s.io\/kwok \(v[^ ]*\).*/\1/p' "$module/go.mod" | head -1)
# The key changes with anything that changes the binaries: versions, module graph, our main.
source_sum=$(cat "$module/go.mod" "$module/go.sum" "$module/cmd/kube/main.go" | sha256sum | cut -c1-12)
key="k8s-${k8s_version}_kwok-${kwok_version}_${source_sum}"
cache_root="${OPERATOR_CHAOS_CACHE:-$HOME/.cache/operator-chaos}/lab"
out="$cache_root/$key"

# Fast check on every start: each file has the size recorded at build time (a half-written or
# truncated binary fails it). The full checksum runs when no sizes were recorded yet.
sizes_match() { [ -f "$out/SIZES" ] && (cd "$out" && while read -r size file; do [ "$(stat -c %s "$file" 2>/dev/null)" = "$size" ] || exit 1; done < SIZES); }
verify() {
  [ -f "$out/MANIFEST" ] || return 1
  sizes_match && return 0
  (cd "$out" && sha256sum --quiet -c MANIFEST >/dev/null 2>&1) || return 1
  (cd "$out" && for f in kube kwok kwok-stages.yaml; do echo "$(stat -c %s "$f") $f"; done > SIZES)
}
if verify; then
  echo "lab build: cached binaries are intact ($key)" >&2
  echo "$out"; exit 0
fi
if [ -d "$out" ]; then
  echo "lab build: cache folder $out is incomplete or corrupt (checksums do not match); removing it and rebuilding" >&2
  rm -rf "$out"
fi
if ! command -v "$GO" >/dev/null 2>&1; then
  echo "lab build: Go is not installed (no '$GO' on PATH) and no built control plane is cached; install Go 1.26+ to build it" >&2
  exit 3
fi
mkdir -p "$cache_root"
tmp=$(mktemp -d "$cache_root/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
started=$(date +%s)
minor=${k8s_version#v1.}; minor=${minor%%.*}
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${k8s_version} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor} -X k8s.io/component-base/version.gitTreeState=clean"
cd "$module"
echo "lab build: downloading Go modules (Kubernetes $k8s_version, KWOK $kwok_version)…" >&2
"$GO" mod download
echo "lab build: compiling kube (etcd, apiserver, controller-manager, scheduler); a cold build takes many minutes on 2 cores…" >&2
"$GO" build -trimpath -ldflags "$ldflags" -o "$tmp/kube" ./cmd/kube
echo "lab build: kube done after $(( $(date +%s) - started ))s; compiling kwok…" >&2
"$GO" build -trimpath -ldflags "-s -w" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok
# KWOK v0.8 has no built-in stages: ship the upstream fast stages with the binaries.
stages="$("$GO" list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage"
{
  printf 'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions: {}\n'
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    printf -- '---\n'; sed '/^---$/d' "$stages/$f"
  done
} > "$tmp/kwok-stages.yaml"
(cd "$tmp" && sha256sum kube kwok kwok-stages.yaml > MANIFEST && for f in kube kwok kwok-stages.yaml; do echo "$(stat -c %s "$f") $f"; done > SIZES)
mv "$tmp" "$out"
trap - EXIT
echo "lab build: built in $(( $(date +%s) - started ))s into $out" >&2
echo "$out"
