#!/bin/sh
# One-shot job (temporalio/admin-tools): creates Temporal's two PostgreSQL databases and brings
# their schemas to the versions this admin-tools image ships, with Temporal's own
# temporal-sql-tool (the same schema files deploy/stack's PostgreSQL mode applies in tests).
# Idempotent: setup-schema keeps a newer recorded version and update-schema applies only what
# is missing, so it runs on every `docker-compose up` and after every Temporal upgrade.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port="${DB_PORT:-5432}"
schema=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "$port"; do echo "waiting for $POSTGRES_SEEDS:$port"; sleep 2; done

for db in temporal:temporal temporal_visibility:visibility; do
  name="${db%%:*}" dir="${db#*:}"
  sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$name" "$@"; }
  # create-database fails when the database exists; anything worse fails setup-schema next.
  sql create-database 2>/dev/null || echo "database $name exists"
  sql setup-schema -v 0.0
  sql update-schema -d "$schema/$dir/versioned"
done
echo "Temporal schemas ready"
