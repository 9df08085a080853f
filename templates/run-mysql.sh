#!/bin/sh
# cutover runner (mysql): applies the files and built-in steps named as arguments, in order, and
# stops at the first failure (mysql --batch stops at the first error). Every file is idempotent.
#   FILE | SIDE:FILE                apply /etc/cutover/sql/FILE
#   checksum:TABLE:KEY:int|any      per key range counts and hashes (checksum-mysql.sh)
#   copy-schema:FROM:TO             mysqldump --no-data of FROM into TO, when TO has no tables yet
#   wait-lag:SOURCE                 wait until the replica of SOURCE is < MAX_LAG_SECONDS behind
#   sync-sequences:FROM:TO          nothing to do: AUTO_INCREMENT counters travel with the rows
#   forget-flyway:VERSION           remove VERSION and later from flyway_schema_history after a rollback
# Credentials: the Secret files mounted read-only at /etc/cutover/SIDE/{username,password}, written
# to a 0600 option file in the /tmp emptyDir, never to the environment.
set -eu
umask 077
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
options() { # options SIDE: the client option file of SIDE
  file="/tmp/client-$1.cnf"
  if [ ! -f "$file" ]; then
    {
      echo '[client]'
      echo "user=$(cat "/etc/cutover/$1/username")"
      echo "password=$(cat "/etc/cutover/$1/password")"
      echo "host=$(host_of "$1")"
      echo "port=$DB_PORT"
      echo "database=$DB_NAME"
    } > "$file"
  fi
  echo "$file"
}
on() { side="$1"; shift; mysql --defaults-extra-file="$(options "$side")" --batch "$@"; }

for arg in "$@"; do
  case "$arg" in
    checksum:*)
      /bin/sh "$SQL/checksum-mysql.sh" "${arg#checksum:}" ;;
    copy-schema:*)
      pair="${arg#copy-schema:}"; from="${pair%%:*}"; to="${pair#*:}"
      tables="$(on "$to" -N -e "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()")"
      if [ "$tables" != 0 ]; then
        echo "cutover: $to already has tables, schema copy skipped"; continue
      fi
      mysqldump --defaults-extra-file="$(options "$from")" --no-data --routines --triggers --events --set-gtid-purged=OFF "$DB_NAME" > /tmp/schema.sql
      on "$to" < /tmp/schema.sql
      echo "cutover: schema copied from $from to $to" ;;
    wait-lag:*)
      source="${arg#wait-lag:}"; replica=green
      [ "$source" = green ] && replica=blue
      max="${MAX_LAG_SECONDS:-1}"; n=0
      while :; do
        lag="$(on "$replica" -e 'SHOW REPLICA STATUS\G' | awk '/Seconds_Behind_Source:/ {print $2}')"
        if [ -n "$lag" ] && [ "$lag" != NULL ] && [ "$lag" -le "${max%.*}" ]; then echo "cutover: $replica lags ${lag}s"; break; fi
        n=$((n + 1)); [ "$n" -lt 120 ] || { echo "cutover: $replica lags ${lag:-unknown}s, over ${max}s" >&2; exit 1; }
        sleep 5
      done ;;
    sync-sequences:*)
      echo "cutover: MySQL AUTO_INCREMENT counters are carried by the replicated rows" ;;
    forget-flyway:*)
      v="${arg#forget-flyway:}"
      on "$DEFAULT_SIDE" -e "SET @t = (SELECT count(*) FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_name = 'flyway_schema_history');
        SET @s = IF(@t > 0, 'DELETE FROM flyway_schema_history WHERE version IS NOT NULL AND CAST(version AS DECIMAL(20,4)) >= $v', 'DO 0');
        PREPARE st FROM @s; EXECUTE st; DEALLOCATE PREPARE st;" ;;
    *:*)
      echo "cutover: applying ${arg#*:} on ${arg%%:*}"
      on "${arg%%:*}" < "$SQL/${arg#*:}" ;;
    *)
      echo "cutover: applying $arg"
      on "$DEFAULT_SIDE" < "$SQL/$arg" ;;
  esac
done
