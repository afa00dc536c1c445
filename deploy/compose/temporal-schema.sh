#!/bin/sh
# One-shot job (temporalio/admin-tools): creates Temporal's two PostgreSQL databases and brings
# their schemas to the versions this admin-tools image ships, with Temporal's own
# temporal-sql-tool (the same schema files deploy/stack's PostgreSQL mode applies in tests).
# Idempotent: setup-schema keeps a newer recorded version and update-schema applies only what
# is missing, so it runs on every `docker-compose up` and after every Temporal upgrade.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port="${DB_PORT:-5432}"
schema="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12" # where admin-tools keeps them

until nc -z "$POSTGRES_SEEDS" "$port"; do echo "waiting for $POSTGRES_SEEDS:$port"; sleep 2; done

for db in temporal:temporal temporal_visibility:visibility; do
  name="${db%%:*}" dir="${db#*:}"
  sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$name" "$@"; }
  # create-database fails when the database exists (every run after the first); any other
  # cause (credentials, network) fails setup-schema next, which stops the job.
  sql create-database >/dev/null 2>&1 || echo "database $name not created (it exists, or setup-schema fails next)"
  sql setup-schema -v 0.0
  sql update-schema -d "$schema/$dir/versioned"
done
echo "Temporal schemas ready"
