#!/bin/sh
# First start of an empty data volume only (the image's entrypoint runs /docker-entrypoint-initdb.d):
# the bootstrap superuser makes the app's two roles and the coop database (ops/sql/roles.sql),
# and the role pgBackRest connects as (ops/sql/backup_role.sql). It is used for nothing else.
set -eu
: "${POSTGRES_OWNER_PASSWORD:?set POSTGRES_OWNER_PASSWORD}" "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD}"
psql -X -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v database=coop -v owner=coop_owner -v owner_password="$POSTGRES_OWNER_PASSWORD" -v owner_createdb=NOCREATEDB \
  -v runtime=coop_app -v runtime_password="$POSTGRES_APP_PASSWORD" -f /coop/sql/roles.sql
psql -X -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v backup="${BACKUP_PG_USER:-coop_backup}" -f /coop/sql/backup_role.sql
