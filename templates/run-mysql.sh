#!/bin/sh
# cutover runner (mysql): applies the files and built-in steps named as arguments, in order, and
# stops at the first failure (mysql --batch stops at the first error). Every file is idempotent.
#   FILE | SIDE:FILE                apply /etc/cutover/sql/FILE
#   one-transaction:FILE            the same between START TRANSACTION and COMMIT (a `sql` change with
#                                   transactional: true); MySQL commits DDL implicitly, so only DML is undone
#   checksum:TABLE:KEY:int|any      per key range counts and hashes (checksum-mysql.sh)
#   copy-schema:FROM:TO             mysqldump --no-data of FROM into TO, when TO has no tables yet
#   wait-lag:SOURCE                 wait until the replica of SOURCE is < MAX_LAG_SECONDS behind
#   sync-sequences:FROM:TO          nothing to do: AUTO_INCREMENT counters travel with the rows
#   forget-flyway:VERSION           remove VERSION and later from flyway_schema_history after a rollback
#   quarantine-column:TABLE:COLUMN:QUARANTINE:LOCK_WAIT_SECONDS
#                                   expand's rollback keeps a column expand added: renamed to QUARANTINE right
#                                   before the down that drops it (see "Rollback quarantine" below)
# Credentials: the Secret files mounted read-only at /etc/cutover/SIDE/{username,password}, written
# to a 0600 option file in the /tmp emptyDir, never to the environment.
# Exit code 65 (REFUSED): a step refused, changing nothing, in a way every run repeats until a person
# acts: a rollback cutover refuses (the SQL signals `cutover rollback refused: …` after a one-row
# result under that header: rows the new version wrote do not fit the old schema), a preflight that
# found problems (`cutover preflight: N problem(s)`), a quarantine that would drop what the new version
# wrote. The Jobs' podFailurePolicy fails the Job at once on 65 instead of retrying it backoffLimit
# times. Any other failure exits non-zero otherwise (the client's status, 1, 143 on TERM) and is retried.
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

# A file runs in one client session whose connection id the runner knows: the session's first
# statement prints it (read off the client's output, the rest passed through to the log). The server
# goes on executing a statement whose client is gone, so on TERM (the Job's activeDeadlineSeconds, a
# deleted pod) the trap below ends that session through a second connection; without it a batched
# backfill or an ALTER would keep running, and holding its locks, long after the Job failed. The
# client runs in the background, as the shell defers a trap until a foreground command ends.
CONNECTION=/tmp/cutover-connection
CLIENT=
CLIENT_SIDE=
# A file that re-points a view around a swap (MySQL's version databases, a type change) holds lines
# `-- cutover-concurrent: SQL` and prints `cutover-concurrent` while it holds its LOCK TABLES: the
# runner then runs those lines on a second session, whose CREATE OR REPLACE VIEW queues on that lock
# and is granted before the app's waiting statements (see MySQLVersionSchemas.swapView). The file
# waits for it only where `@cutover_concurrent` is set, so other clients run it alone.
concurrent() { # concurrent SIDE FILE: the file's output passed through, the second session started on its marker
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [ "$line" = cutover-concurrent ]; then
      sed -n 's/^-- cutover-concurrent: //p' "$2" | on "$1" &
    fi
  done
  wait
}
# The mysql client prints its error as `ERROR 1644 (45000) at line N: MESSAGE` and never echoes the
# statement; a shell pattern, not grep, which the mysql image need not have.
REFUSED=65
refused() { # FILE: whether the client's error in FILE is one of cutover's refusals
  while IFS= read -r line; do
    case "$line" in
      "ERROR "*": cutover rollback refused"*|"ERROR "*": cutover preflight: "[0-9]*" problem"*) return 0 ;;
    esac
  done < "$1"
  return 1
}
# The client's stderr (its error: it stops at the first), kept to tell a refusal, then shown.
CLIENT_ERRORS=/tmp/cutover-client-errors
apply() { # apply SIDE FILE
  rm -f "$CONNECTION" /tmp/cutover-status "$CLIENT_ERRORS"
  {
    if { printf 'SELECT CONNECTION_ID() AS cutover_connection;\nSET @cutover_concurrent = 1;\n'; cat "$2"; } | on "$1" --unbuffered 2> "$CLIENT_ERRORS"; then s=0; else s=$?; fi
    echo "$s" > /tmp/cutover-status
  } | { IFS= read -r _ && IFS= read -r id && printf '%s\n' "$id" > "$CONNECTION" && concurrent "$1" "$2"; } &
  CLIENT=$! CLIENT_SIDE="$1"
  wait "$CLIENT" || :
  CLIENT=
  cat "$CLIENT_ERRORS" >&2 2>/dev/null || :
  status="$(cat /tmp/cutover-status 2>/dev/null || :)"
  [ "$status" = 0 ] && return 0
  if [ -f "$CLIENT_ERRORS" ] && refused "$CLIENT_ERRORS"; then
    echo "cutover: refused (exit code $REFUSED): the Job fails at once, as every retry would be refused the same way; the message above says what to change" >&2
    exit "$REFUSED"
  fi
  exit "${status:-1}"
}
# KILL CONNECTION, not KILL QUERY: the session must run nothing after the statement it is stopped in
# (the client would send the file's next one), and its open transaction, if any, rolls back at once.
# Any user may kill its own connections. A TERM while the client still connects waits for the id.
stop_client() {
  [ -n "$CLIENT" ] || return 0
  n=0
  while [ ! -s "$CONNECTION" ] && [ "$n" -lt 10 ] && kill -0 "$CLIENT" 2>/dev/null; do n=$((n + 1)); sleep 1; done
  id="$(cat "$CONNECTION" 2>/dev/null || :)"
  case "$id" in
    ""|*[!0-9]*) echo "cutover: stopped before the session's connection id was known" >&2; return 0 ;;
  esac
  if on "$CLIENT_SIDE" -e "KILL CONNECTION $id" 2>/dev/null; then
    echo "cutover: stopped: the statement of connection $id was ended on the server" >&2
  else
    echo "cutover: stopped: connection $id had ended already" >&2
  fi
  wait "$CLIENT" 2>/dev/null || :
  cat "$CLIENT_ERRORS" >&2 2>/dev/null || :
}
# /bin/sh as a container's PID 1 ignores TERM (no default action for PID 1): the trap makes it end.
trap 'stop_client; exit 143' TERM
trap 'stop_client; exit 130' INT

# Rollback quarantine (see run-psql.sh): `quarantine-column:TABLE:COLUMN:QUARANTINE:LOCK_WAIT_SECONDS`
# renames the column expand added right before the down that drops it, under the spec's
# lock_wait_timeout, retried. RENAME COLUMN is metadata-only (ALGORITHM=INPLACE, LOCK=NONE: MySQL
# 8.0 and MariaDB 10.5+ change only the data dictionary, under a short exclusive metadata lock);
# a NOT NULL column without a default, which the old version's inserts would fail on, is made
# nullable by the same statement (CHANGE COLUMN, an online rebuild). Names are plain identifiers.
quarantine_state() { # TABLE COLUMN QUARANTINE: "COLUMN-PRESENT QUARANTINE-PRESENT"
  on "$DEFAULT_SIDE" -N -e "SELECT CONCAT(COALESCE(SUM(column_name = '$2'), 0), ' ', COALESCE(SUM(column_name = '$3'), 0))
    FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '$1'"
}
quarantine_precheck() { # the Job's arguments
  for q in "$@"; do
    case "$q" in quarantine-column:*) ;; *) continue ;; esac
    set -f; IFS=:; set -- ${q#quarantine-column:}; unset IFS; set +f
    if [ "$(quarantine_state "$1" "$2" "$3")" = "1 1" ]; then
      echo "cutover: $1 has both $2 and $3 (kept by an earlier rollback of this migration): this rollback would drop what the new version wrote into $2. Nothing was changed. Purge or rename $3 first (ALTER TABLE $1 DROP COLUMN $3), then run this Job again" >&2
      exit "$REFUSED"
    fi
  done
}
quarantine_column() { # TABLE COLUMN QUARANTINE LOCK_WAIT_SECONDS
  case "$(quarantine_state "$1" "$2" "$3")" in
    "0 "*) echo "cutover: $1.$2 is not there (kept as $3 by an earlier run, or never added), nothing to quarantine"; return 0 ;;
    "1 1") echo "cutover: $1 has both $2 and $3: not dropping $2" >&2; exit 1 ;;
  esac
  # The full definition only where NOT NULL has no default to fall back on.
  definition="$(on "$DEFAULT_SIDE" -N -e "SELECT CONCAT(column_type,
      IF(character_set_name IS NULL, '', CONCAT(' CHARACTER SET ', character_set_name, ' COLLATE ', collation_name)), ' NULL')
    FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '$1' AND column_name = '$2'
      AND is_nullable = 'NO' AND column_default IS NULL AND extra = ''")"
  if [ -n "$definition" ]; then
    statement="ALTER TABLE \`$1\` CHANGE COLUMN \`$2\` \`$3\` $definition, ALGORITHM=INPLACE, LOCK=NONE"
  else
    statement="ALTER TABLE \`$1\` RENAME COLUMN \`$2\` TO \`$3\`, ALGORITHM=INPLACE, LOCK=NONE"
  fi
  n=0
  until on "$DEFAULT_SIDE" -e "SET SESSION lock_wait_timeout = $4; $statement"; do
    n=$((n + 1)); [ "$n" -lt 5 ] || { echo "cutover: could not quarantine $1.$2 as $3 (metadata lock not granted within $4 s, 5 tries)" >&2; exit 1; }
    sleep "$n"
  done
  echo "cutover: $1.$2 kept as $3 (what the new version wrote stays; purge drops it)"
}
quarantine_precheck "$@"

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
      apply "$to" /tmp/schema.sql
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
    quarantine-column:*)
      set -f; IFS=:; set -- ${arg#quarantine-column:}; unset IFS; set +f
      quarantine_column "$1" "$2" "$3" "$4" ;;
    forget-flyway:*)
      v="${arg#forget-flyway:}"
      on "$DEFAULT_SIDE" -e "SET @t = (SELECT count(*) FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_name = 'flyway_schema_history');
        SET @s = IF(@t > 0, 'DELETE FROM flyway_schema_history WHERE version IS NOT NULL AND CAST(version AS DECIMAL(20,4)) >= $v', 'DO 0');
        PREPARE st FROM @s; EXECUTE st; DEALLOCATE PREPARE st;" ;;
    one-transaction:*)
      # A `sql` change with transactional: true: the file between START TRANSACTION and COMMIT, so a
      # failure (the client stops at the first error and its session ends) rolls back what it wrote.
      # MySQL commits before and after each DDL statement, which no transaction can undo.
      f="${arg#one-transaction:}"
      echo "cutover: applying $f"
      { echo 'START TRANSACTION;'; cat "$SQL/$f"; echo; echo 'COMMIT;'; } > /tmp/cutover-one-transaction.sql
      apply "$DEFAULT_SIDE" /tmp/cutover-one-transaction.sql ;;
    *:*)
      echo "cutover: applying ${arg#*:} on ${arg%%:*}"
      apply "${arg%%:*}" "$SQL/${arg#*:}" ;;
    *)
      echo "cutover: applying $arg"
      apply "$DEFAULT_SIDE" "$SQL/$arg" ;;
  esac
done
