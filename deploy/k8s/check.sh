#!/bin/sh
# `make k8s-check`: the manifests in deploy/k8s against Kubernetes' own schemas (kubeconform,
# a Go tool dependency in go.mod; -strict, so an unknown or misspelt field fails), offline: the
# schemas of the kinds used are vendored in schemas/ (generated there from Kubernetes v1.35's
# OpenAPI document, see schemas/README.md). Also: kustomization.yaml names only files that
# exist and every manifest here; the example Secret holds no value and is not applied; the
# namespace script registers the search attributes workflows/search.go declares; and
# testdata/typo.yaml, whose documents each carry one mistake, must fail, or the check itself
# has gone soft.
set -eu
cd "$(dirname "$0")"
GO="${GO:-go}"
kubeconform() {
  "$GO" tool kubeconform -strict -schema-location "$PWD/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$@"
}
fail=0

manifests=$(ls *.yaml | grep -v -x -e kustomization.yaml -e temporal-values.yaml)
kubeconform -summary $manifests || fail=1

# kustomization.yaml: its resources and generator files exist, and every manifest but the
# example Secret is among its resources.
listed=$(awk '/^[a-zA-Z]/ { section = $1 } section ~ /^(resources|configMapGenerator):/ && $1 == "-" && $2 !~ /:/ { print $2 }' kustomization.yaml)
for f in $listed; do
  [ -f "$f" ] || { echo "k8s-check: kustomization.yaml names $f, which does not exist"; fail=1; }
done
for f in $manifests; do
  [ "$f" = secret.example.yaml ] && continue
  echo "$listed" | grep -q -x "$f" || { echo "k8s-check: $f is not in kustomization.yaml"; fail=1; }
done
if echo "$listed" | grep -q -x secret.example.yaml; then
  echo "k8s-check: kustomization.yaml applies secret.example.yaml"; fail=1
fi
# No secret values in git: the example's values are all empty, and no other manifest is a Secret.
if grep -E '^  [A-Z0-9_]+: *"[^"]' secret.example.yaml; then
  echo "k8s-check: secret.example.yaml holds a value"; fail=1
fi
for f in $manifests; do
  [ "$f" = secret.example.yaml ] && continue
  if grep -q '^kind: Secret' "$f"; then echo "k8s-check: $f commits a Secret"; fail=1; fi
done

# The setup script registers exactly the search attributes the workflows write
# (workflows/search.go), with the same types.
code_sas=$(grep -o 'NewSearchAttributeKey[A-Za-z]*("[A-Za-z]*")' ../../workflows/search.go |
  sed -E 's/NewSearchAttributeKey([A-Za-z]*)\("([A-Za-z]*)"\)/\2:\1/; s/:Time$/:Datetime/' | sort)
script_sas=$(grep -o 'Award[A-Za-z]*:[A-Za-z]*' temporal-namespace.sh | sort)
if [ -z "$code_sas" ] || [ "$code_sas" != "$script_sas" ]; then
  echo "k8s-check: temporal-namespace.sh registers [$(echo $script_sas)], workflows/search.go declares [$(echo $code_sas)]"; fail=1
fi

# The check must catch mistakes: every document of testdata/typo.yaml is invalid.
want=$(grep -c '^kind:' testdata/typo.yaml)
invalid=$(kubeconform -output json testdata/typo.yaml 2>/dev/null | grep -c '"status": "statusInvalid"' || true)
if [ "$invalid" != "$want" ]; then
  echo "k8s-check: testdata/typo.yaml: $invalid of $want mistakes caught"; fail=1
fi

[ "$fail" = 0 ] || exit 1
echo "k8s-check: $(echo $manifests | wc -w) manifest files valid (strict, Kubernetes 1.35 schemas); $invalid of $want planted mistakes caught"
