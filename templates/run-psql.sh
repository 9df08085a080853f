#!/bin/sh
# cutover runner (psql): applies the files and built-in steps named as arguments, in order, and
# stops at the first failure. Every file is idempotent, so a failed Job can simply run again.
#   FILE | SIDE:FILE                apply /etc/cutover/sql/FILE with psql -X -v ON_ERROR_STOP=1 -f (never -1)
#   checksum:TABLE:KEY:int|any      per key range counts and hashes (checksum-psql.sh)
#   copy-schema:FROM:TO             pg_dump --schema-only of FROM into TO, when TO has no tables yet
#   wait-lag:PUBLISHER              wait until logical replication from PUBLISHER lags < MAX_LAG_SECONDS
#   sync-sequences:FROM:TO          set TO's sequences ahead of FROM's (logical replication skips them)
#   forget-flyway:VERSION           remove VERSION and later from flyway_schema_history after a rollback
# SIDE is db (expand-contract) or blue/green. Credentials are read at run time from the Secret files
# mounted read-only at /etc/cutover/SIDE/{username,password}; they never appear in the pod's env.
# In blue-green, psql variables blue_conninfo and green_conninfo hold each side's libpq conninfo for
# CREATE SUBSCRIPTION ... CONNECTION :'blue_conninfo'.
set -eu
SQL=/etc/cutover/sql
DEFAULT_SIDE=db
[ -d /etc/cutover/db ] || DEFAULT_SIDE=blue

host_of() {
  case "$1" in
    green) echo "$GREEN_HOST" ;;
    blue) echo "${BLUE_HOST:-$DB_HOST}" ;;
    *) echo "$DB_HOST" ;;
  esac
}
conninfo() {
  printf "host=%s port=%s dbname=%s user=%s password=%s sslmode=%s" "$(host_of "$1")" "$DB_PORT" "$DB_NAME" \
    "$(cat "/etc/cutover/$1/username")" "$(cat "/etc/cutover/$1/password")" "${PGSSLMODE:-prefer}"
}
on() { # on SIDE PSQL-ARGS...
  side="$1"; shift
  set -- -X -q -v ON_ERROR_STOP=1 -h "$(host_of "$side")" -p "$DB_PORT" -d "$DB_NAME" "$@"
  if [ -d /etc/cutover/blue ] && [ -d /etc/cutover/green ]; then
    set -- -v "blue_conninfo=$(conninfo blue)" -v "green_conninfo=$(conninfo green)" "$@"
  fi
  PGUSER="$(cat "/etc/cutover/$side/username")" PGPASSWORD="$(cat "/etc/cutover/$side/password")" psql "$@"
}
value() { side="$1"; shift; on "$side" -At "$@"; }

wait_ready() {
  n=0
  until value "$1" -c 'SELECT 1' >/dev/null 2>&1; do
    n=$((n + 1)); [ "$n" -lt 90 ] || { echo "cutover: $1 is not reachable" >&2; exit 1; }
    sleep 10
  done
}

wait_lag() { # logical walsenders of this database on the publisher
  max="${MAX_LAG_SECONDS:-1}"; n=0
  while :; do
    row="$(value "$1" -F ' ' -c "SELECT count(*), coalesce(ceil(max(extract(epoch FROM r.replay_lag))), 0)::int
      FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
      WHERE s.slot_type = 'logical' AND s.database = current_database()")"
    count="${row% *}"; lag="${row#* }"
    if [ "$count" -gt 0 ] && [ "$lag" -le "${max%.*}" ]; then echo "cutover: replication from $1 lags ${lag}s"; return 0; fi
    n=$((n + 1)); [ "$n" -lt 120 ] || { echo "cutover: replication from $1 lags ${lag}s (streams: $count), over ${max}s" >&2; exit 1; }
    sleep 5
  done
}

for arg in "$@"; do
  case "$arg" in
    checksum:*)
      /bin/sh "$SQL/checksum-psql.sh" "${arg#checksum:}" ;;
    copy-schema:*)
      pair="${arg#copy-schema:}"; from="${pair%%:*}"; to="${pair#*:}"
      wait_ready "$to"
      tables="$(value "$to" -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
      if [ "$tables" != 0 ]; then
        echo "cutover: $to already has tables, schema copy skipped"; continue
      fi
      PGUSER="$(cat "/etc/cutover/$from/username")" PGPASSWORD="$(cat "/etc/cutover/$from/password")" \
        pg_dump --schema-only --no-owner --no-privileges --no-publications --no-subscriptions \
        -h "$(host_of "$from")" -p "$DB_PORT" -d "$DB_NAME" > /tmp/schema.sql
      on "$to" -f /tmp/schema.sql
      echo "cutover: schema copied from $from to $to" ;;
    wait-lag:*)
      wait_lag "${arg#wait-lag:}" ;;
    sync-sequences:*)
      pair="${arg#sync-sequences:}"; from="${pair%%:*}"; to="${pair#*:}"
      value "$from" -c "SELECT format('SELECT setval(%L, %s, true);', quote_ident(schemaname) || '.' || quote_ident(sequencename),
        last_value + 1000) FROM pg_sequences WHERE last_value IS NOT NULL" > /tmp/sequences.sql
      on "$to" -f /tmp/sequences.sql
      echo "cutover: $(wc -l < /tmp/sequences.sql) sequences set ahead on $to" ;;
    forget-flyway:*)
      v="${arg#forget-flyway:}"
      on "$DEFAULT_SIDE" -c "DO \$\$ BEGIN IF to_regclass('flyway_schema_history') IS NOT NULL THEN
        DELETE FROM flyway_schema_history WHERE version IS NOT NULL AND version::numeric >= $v; END IF; END \$\$" ;;
    *:*)
      echo "cutover: applying ${arg#*:} on ${arg%%:*}"
      on "${arg%%:*}" -f "$SQL/${arg#*:}" ;;
    *)
      echo "cutover: applying $arg"
      on "$DEFAULT_SIDE" -f "$SQL/$arg" ;;
  esac
done
