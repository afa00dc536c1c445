#!/bin/sh
# One-shot job (minio/mc): the bucket (versioned, so a deleted or overwritten object can be
# restored within S3_NONCURRENT_DAYS), and the app's own access key limited to that bucket by
# the policy in app-policy.json. The root user stays with the operator; the app never has it.
# Idempotent: runs on every `docker-compose up`.
set -eu
: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}" "${S3_BUCKET:?}"
days="${S3_NONCURRENT_DAYS:-30}"

until mc alias set root http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  echo "waiting for minio:9000"; sleep 2
done
mc mb --ignore-existing "root/$S3_BUCKET"
mc version enable "root/$S3_BUCKET"
mc anonymous set none "root/$S3_BUCKET"

# Lifecycle (replaces the bucket's rules): the product's own staging rule
# (storage/objects/staging.go sets the same one, by its ID, on every start) and the erasure of
# old versions. The product erases personal data by deleting objects, and in a versioned bucket
# a deletion keeps the old version, so noncurrent versions (and delete markers left alone) go
# after $days days, the window for restoring a mistake; unconfirmed uploads' after one day.
cat >/tmp/lifecycle.json <<JSON
{"Rules": [
 {"ID": "expire-unconfirmed-uploads", "Status": "Enabled", "Filter": {"Prefix": "staging/"}, "Expiration": {"Days": 1}},
 {"ID": "erase-noncurrent-staging", "Status": "Enabled", "Filter": {"Prefix": "staging/"},
  "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
 {"ID": "erase-noncurrent-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
  "Expiration": {"ExpiredObjectDeleteMarker": true}, "NoncurrentVersionExpiration": {"NoncurrentDays": $days}}
]}
JSON
mc ilm rule import "root/$S3_BUCKET" </tmp/lifecycle.json

sed "s/BUCKET/$S3_BUCKET/g" /setup/app-policy.json >/tmp/app-policy.json
mc admin policy create root awards-app /tmp/app-policy.json
mc admin user add root "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
mc admin policy attach root awards-app --user "$S3_ACCESS_KEY" 2>/dev/null ||
  mc admin user info root "$S3_ACCESS_KEY" | grep -q awards-app
echo "bucket $S3_BUCKET and the app's key ready"
