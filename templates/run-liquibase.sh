#!/bin/sh
# cutover runner (liquibase): applies each file named as an argument, in order, with
# `liquibase execute-sql`; the files are idempotent, so a failed Job can run again.
# Credentials: read from the Secret files at /etc/cutover/db/{username,password}.
set -eu
#include refusable.sh
SQL=/etc/cutover/sql
case "$DB_ENGINE" in
  postgresql) url="jdbc:postgresql://$DB_HOST:$DB_PORT/$DB_NAME?sslmode=${PGSSLMODE:-prefer}" ;;
  *) url="jdbc:mysql://$DB_HOST:$DB_PORT/$DB_NAME" ;;
esac
for f in "$@"; do
  echo "cutover: applying $f"
  LIQUIBASE_COMMAND_USERNAME="$(cat /etc/cutover/db/username)" LIQUIBASE_COMMAND_PASSWORD="$(cat /etc/cutover/db/password)" \
    refusable liquibase --url="$url" execute-sql --sql-file="$SQL/$f"
done
