#!/bin/sh
# Creates the award namespace (365-day retention for closed journeys) and registers the search
# attributes the app uses (no personal data: tenant, stage, track, variant, due date, flags).
# Idempotent: safe to run on every deploy.
set -eu
NS="${TEMPORAL_NAMESPACE:-awards}"
until temporal operator cluster health >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe --namespace "$NS" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NS" --retention 365d
for sa in AwardTenant:Keyword AwardStage:Keyword AwardTrack:Keyword AwardVariant:Keyword AwardDueAt:Datetime AwardFlags:KeywordList; do
  name="${sa%%:*}"; type="${sa#*:}"
  temporal operator search-attribute create --namespace "$NS" --name "$name" --type "$type" 2>/dev/null || true
done
echo "namespace $NS ready"
