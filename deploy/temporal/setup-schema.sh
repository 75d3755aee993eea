#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to the version the
# temporal-sql-tool at hand ships (its embedded schema files). Safe to run again: that is how a
# server upgrade gets its schema changes. Run by docker-compose.yml (temporal-schema, in the
# temporalio/admin-tools image) and by the cluster suite (test/support/temporal-cluster).
# Needs SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD; TEMPORAL_SQL_TOOL names the binary.
set -eu
tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
export SQL_PLUGIN=postgres12
: "${SQL_HOST:?set SQL_HOST}" "${SQL_PORT:?set SQL_PORT}" "${SQL_USER:?set SQL_USER}" "${SQL_PASSWORD:?set SQL_PASSWORD}"

# Runs the command; an "already exists" answer is success, anything else fails the set-up.
tolerate_existing() {
  if ! out=$("$@" 2>&1); then
    case "$out" in
      *"already exists"*) ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
}

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  schema=${pair#*:}
  tolerate_existing "$tool" --db "$db" create-database
  tolerate_existing "$tool" --db "$db" setup-schema -v 0.0
  "$tool" --db "$db" update-schema --schema-name "postgresql/v12/$schema"
done
echo "setup-schema: databases temporal and temporal_visibility are at the schema of $("$tool" --version)"
