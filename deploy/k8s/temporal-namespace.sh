#!/bin/sh
# One-shot job (temporalio/admin-tools): the product's namespace and the search attributes it
# writes (workflows/search.go: tenant, stage, track, variant, due date, flags; no personal
# data), as deploy/stack registers them in tests. Idempotent: runs on every deploy.
set -eu
: "${TEMPORAL_ADDRESS:?}"
NS="${TEMPORAL_NAMESPACE:-awards}"
# Closed journeys stay readable for a year (the product's own retention erases personal data
# from its database and storage; Temporal drops the histories after this).
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-365d}"

tries=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 90 ] || { echo "Temporal at $TEMPORAL_ADDRESS is not healthy"; exit 1; }
  sleep 2
done

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NS" >/dev/null 2>&1; then
  temporal operator namespace update --address "$TEMPORAL_ADDRESS" --namespace "$NS" --retention "$RETENTION"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NS" --retention "$RETENTION"
fi

have="$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NS")"
for sa in AwardTenant:Keyword AwardStage:Keyword AwardTrack:Keyword AwardVariant:Keyword \
  AwardDueAt:Datetime AwardFlags:KeywordList; do
  name="${sa%%:*}" type="${sa#*:}"
  if printf '%s\n' "$have" | grep -qw "$name"; then continue; fi
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NS" \
    --name "$name" --type "$type"
done
echo "namespace $NS ready"
