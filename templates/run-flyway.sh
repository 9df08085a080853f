#!/bin/sh
# cutover runner (flyway): runs `flyway migrate` over the up files named as arguments, linked into a
# scratch location as V<step>__<name>.sql, so flyway records each step in flyway_schema_history.
# Files of other phases are not in the location, hence -validateOnMigrate=false; -mixed=true lets
# non-transactional steps (CREATE INDEX CONCURRENTLY) run. Rollbacks run with the database client
# (flyway's undo is not in the community edition) and then remove the undone versions from the history.
# Credentials: read from the Secret files at /etc/cutover/db/{username,password}.
set -eu
#include refusable.sh
SQL=/etc/cutover/sql
LOCATION=/tmp/flyway
mkdir -p "$LOCATION"
for f in "$@"; do
  stem="${f%.up.sql}"; number="${stem%%_*}"
  ln -sf "$SQL/$f" "$LOCATION/V$(echo "$number" | sed 's/^0*//')__${stem#*_}.sql"
done
case "$DB_ENGINE" in
  postgresql) url="jdbc:postgresql://$DB_HOST:$DB_PORT/$DB_NAME?sslmode=${PGSSLMODE:-prefer}" ;;
  *) url="jdbc:mysql://$DB_HOST:$DB_PORT/$DB_NAME" ;;
esac
FLYWAY_USER="$(cat /etc/cutover/db/username)" FLYWAY_PASSWORD="$(cat /etc/cutover/db/password)" \
  refusable flyway -url="$url" -locations="filesystem:$LOCATION" -validateOnMigrate=false -mixed=true -outOfOrder=true migrate
