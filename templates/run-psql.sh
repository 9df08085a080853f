#!/bin/sh
# cutover runner (psql): applies the files and built-in steps named as arguments, in order, and
# stops at the first failure. Every file is idempotent, so a failed Job can simply run again.
#   FILE | SIDE:FILE                apply /etc/cutover/sql/FILE with psql -X -v ON_ERROR_STOP=1 -f (never -1)
#   checksum:TABLE:KEY:int|any      per key range counts and hashes (checksum-psql.sh)
#   copy-schema:FROM:TO             pg_dump --schema-only of FROM into TO, when TO has no tables yet
#   wait-lag:PUBLISHER              wait until logical replication from PUBLISHER lags < MAX_LAG_SECONDS
#   wait-synced:PUB:SUB:NAME        wait until subscription NAME on SUB copied every table (state r) and
#                                   replayed PUB's WAL up to PUB's position when it starts; nothing to
#                                   wait for when NAME is gone, or disabled by the completed switch (its
#                                   marker); a subscription disabled otherwise (by hand, or mid-switch) fails
#   skip-slot:SIDE:NAME             move the inactive slot NAME on SIDE to SIDE's current WAL position (both sides
#                                   fenced, caught up): its subscription, enabled again, never replays what it skips
#   unless-switched:SIDE:NAME       end the Job here (success) when subscription NAME on SIDE carries the marker of
#                                   a completed switch, or is gone with blue still fenced (cleaned up): re-running
#                                   the switch must change nothing; fail when it never existed
#   mark-switched:SIDE:NAME         the marker (COMMENT ON SUBSCRIPTION NAME), written as the switch's last step
#   if-switched:SIDE:NAME           fail unless that marker is there (the switch's fence and catch-up are done)
#   unmark-switched:SIDE:NAME       remove the marker (switched back: a later switch must run in full)
#   fence:SIDE | unfence:SIDE       the app's role (blue's Secret username) refuses writes on SIDE
#                                   (default_transaction_read_only) and its sessions there end / undo
#   sync-sequences:FROM:TO          set TO's sequences to GREATEST(FROM's, TO's) (logical replication skips them)
#   forget-flyway:VERSION           remove VERSION and later from flyway_schema_history after a rollback
#   quarantine-column:TABLE:COLUMN:QUARANTINE:LOCK_TIMEOUT
#                                   expand's rollback keeps a column expand added: renamed to QUARANTINE right
#                                   before the down that drops it (see "Rollback quarantine" below)
# SIDE is db (expand-contract) or blue/green; blueadmin is blue's host with blue's superuser Secret
# (a subscription on blue needs it). Credentials are read at run time from the Secret files mounted
# read-only at /etc/cutover/SIDE/{username,password}; they never appear in the pod's env.
# In blue-green, each SQL file runs after a session preamble that sets the custom settings
# cutover.blue_conninfo and cutover.green_conninfo (libpq conninfo of each side), which the
# subscription files read with current_setting(); psql variables do not reach inside DO bodies.
# The runner's own sessions override the fence (default_transaction_read_only=off in PGOPTIONS).
set -eu
SQL=/etc/cutover/sql
DEFAULT_SIDE=db
[ -d /etc/cutover/db ] || DEFAULT_SIDE=blue
SESSION=/tmp/cutover-session.sql
WAIT_ATTEMPTS="${WAIT_ATTEMPTS:-7500}"

host_of() {
  case "$1" in
    green) echo "$GREEN_HOST" ;;
    blue|blueadmin) echo "${BLUE_HOST:-$DB_HOST}" ;;
    *) echo "$DB_HOST" ;;
  esac
}
# A conninfo value in single quotes, backslash and quote escaped: a password may hold anything.
cq() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"; }
conninfo() {
  printf "host=%s port=%s dbname=%s user=%s password=%s sslmode=%s" "$(cq "$(host_of "$1")")" "$(cq "$DB_PORT")" "$(cq "$DB_NAME")" \
    "$(cq "$(cat "/etc/cutover/$1/username")")" "$(cq "$(cat "/etc/cutover/$1/password")")" "$(cq "${PGSSLMODE:-prefer}")"
}
on() { # on SIDE PSQL-ARGS...
  side="$1"; shift
  set -- -X -q -v ON_ERROR_STOP=1 -h "$(host_of "$side")" -p "$DB_PORT" -d "$DB_NAME" "$@"
  PGOPTIONS="${PGOPTIONS:-} -c default_transaction_read_only=off" \
  PGUSER="$(cat "/etc/cutover/$side/username")" PGPASSWORD="$(cat "/etc/cutover/$side/password")" psql "$@"
}
value() { side="$1"; shift; on "$side" -At "$@"; }
apply() { # apply SIDE FILE: blue-green files see both conninfos as custom settings of their session
  if [ -d /etc/cutover/blue ] && [ -d /etc/cutover/green ]; then
    [ -f "$SESSION" ] || printf '%s\n' \
      "SELECT pg_catalog.set_config('cutover.blue_conninfo', :'blue_conninfo', false) AS cutover_blue," \
      "       pg_catalog.set_config('cutover.green_conninfo', :'green_conninfo', false) AS cutover_green \\gset" > "$SESSION"
    on "$1" -v "blue_conninfo=$(conninfo blue)" -v "green_conninfo=$(conninfo green)" -f "$SESSION" -f "$2"
  else
    on "$1" -f "$2"
  fi
}
app_role() { cat /etc/cutover/blue/username; }

# Polls every 0.2 s where sleep takes fractions (GNU, BusyBox), else every second: the wait after
# the fence is part of the write pause.
nap() { sleep 0.2 2>/dev/null || sleep 1; }

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

subscription_state() { # SIDE NAME: enabled, disabled or nothing
  value "$1" -c "SELECT CASE WHEN subenabled THEN 'enabled' ELSE 'disabled' END FROM pg_catalog.pg_subscription
    WHERE subname = '$2' AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
}

# "Switched" is a marker only the completed switch writes, not the subscription's state: a DBA who
# pauses the forward subscription (ALTER SUBSCRIPTION … DISABLE) must not make the switchover Job
# skip its fence, catch-up, checksums and sequence sync. A comment on the subscription (pg_description)
# is dropped with it, and is no object of the schema the checks compare.
MARKER='cutover: switched from blue to green'
switched() { # SIDE NAME: 1 when the marker is there, else 0
  value "$1" -v "sub=$2" -v "marker=$MARKER" <<'EOF'
SELECT count(*) FROM pg_catalog.pg_subscription
 WHERE subname = :'sub' AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
   AND pg_catalog.obj_description(oid, 'pg_subscription') = :'marker';
EOF
}
mark() { # SIDE NAME on|off
  if [ "$3" = on ]; then text="$MARKER"; else text=""; fi
  on "$1" -v "sub=$2" -v "text=$text" <<'EOF'
SELECT format('COMMENT ON SUBSCRIPTION %I IS %s', :'sub', CASE WHEN :'text' = '' THEN 'NULL' ELSE quote_literal(:'text') END)
 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = :'sub') \gexec
EOF
}

# The subscriber's count of failed applies and copies (PostgreSQL 15+; 0 before): a subscription that
# keeps failing (a duplicate key on the subscriber, a missing table) never catches up, so the wait ends.
apply_errors() { # SIDE NAME
  if [ "$(value "$1" -c "SHOW server_version_num")" -ge 150000 ]; then
    value "$1" -c "SELECT coalesce(sum(apply_error_count + sync_error_count), 0) FROM pg_catalog.pg_stat_subscription_stats WHERE subname = '$2'"
  else
    echo 0
  fi
}
check_apply() { # SIDE NAME ERRORS-BEFORE
  now="$(apply_errors "$1" "$2")"
  [ "$now" -le "$3" ] || { echo "cutover: subscription $2 on $1 fails to apply changes ($((now - $3)) errors since this wait began; $1's server log says why)" >&2; exit 1; }
}

# Complete before anything depends on it: every table copied (state r), then everything the publisher
# had written when the wait began applied on the subscriber: the slot's confirmed_flush_lsn (what the
# subscriber reported applied and flushed) reaching the publisher's LSN of that moment. The slot, not
# pg_stat_replication, whose LSNs only pg_read_all_stats may read.
wait_synced() { # PUB SUB NAME
  state="$(subscription_state "$2" "$3")"
  case "$state" in
    "") echo "cutover: no subscription $3 on $2, nothing to wait for"; return 0 ;;
    disabled)
      if [ "$(switched "$2" "$3")" != 0 ]; then echo "cutover: subscription $3 on $2 is disabled (switched over), nothing to wait for"; return 0; fi
      echo "cutover: subscription $3 on $2 is disabled, and no switch completed: it applies nothing, so $2 cannot catch up (ALTER SUBSCRIPTION $3 ENABLE, then run this again)" >&2
      exit 1 ;;
  esac
  errors="$(apply_errors "$2" "$3")"
  n=0
  while :; do
    check_apply "$2" "$3" "$errors"
    left="$(value "$2" -c "SELECT count(*) FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
      WHERE s.subname = '$3' AND r.srsubstate <> 'r'")"
    [ "$left" = 0 ] && break
    n=$((n + 1)); [ "$n" -lt "$WAIT_ATTEMPTS" ] || { echo "cutover: $2 has not finished the initial copy of $3: $left table(s) not ready" >&2; exit 1; }
    nap
  done
  lsn="$(value "$1" -c "SELECT pg_catalog.pg_current_wal_lsn()")"
  n=0
  while :; do
    check_apply "$2" "$3" "$errors"
    done_="$(value "$1" -c "SELECT count(*) FROM pg_catalog.pg_replication_slots
      WHERE slot_name = '$3' AND active AND confirmed_flush_lsn >= '$lsn'::pg_lsn")"
    [ "$done_" != 0 ] && break
    n=$((n + 1)); [ "$n" -lt "$WAIT_ATTEMPTS" ] || { echo "cutover: $2 has not applied $1's changes up to $lsn through $3" >&2; exit 1; }
    nap
  done
  echo "cutover: $2 has every table of $3 and applied $1 up to $lsn"
}

# A table created after the subscription: ALTER PUBLICATION ADD TABLE alone does not reach the
# subscriber, which copies and streams only the tables it knew when created or last refreshed. Not in
# the SQL files: REFRESH PUBLICATION cannot run inside a transaction block (hence not in a guarded DO)
# and is refused on a disabled subscription (after the switch, when there is nothing to refresh).
refresh() { # SUB NAME
  if [ "$(subscription_state "$1" "$2")" = enabled ]; then
    on "$1" -v "sub=$2" <<'EOF'
SELECT format('ALTER SUBSCRIPTION %I REFRESH PUBLICATION WITH (copy_data = true)', :'sub') \gexec
EOF
    echo "cutover: subscription $2 on $1 refreshed (tables added to its publication are copied)"
  fi
}

# Before the app moves, the three lists of tables must agree: a table blue has and its publication
# does not (created after replicate), or one the subscription does not have, or has not finished
# copying, would stay behind on blue. Leaf tables (partitions, not their parents), as the publication
# (publish_via_partition_root off) and the subscription list them.
same_tables() { # PUB SUB NAME
  ident="quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
  value "$1" -c "SELECT $ident FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'" > /tmp/tables.live
  value "$1" -c "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_catalog.pg_publication_tables
    WHERE pubname = '$3'" > /tmp/tables.published
  value "$2" -c "SELECT $ident FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
    JOIN pg_catalog.pg_class c ON c.oid = r.srrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE s.subname = '$3' AND r.srsubstate = 'r'" > /tmp/tables.subscribed
  # comm needs the order of its own collation.
  for f in live published subscribed; do LC_ALL=C sort -o "/tmp/tables.$f" "/tmp/tables.$f"; done
  unpublished="$(LC_ALL=C comm -23 /tmp/tables.live /tmp/tables.published | paste -sd' ' -)"
  uncopied="$(LC_ALL=C comm -23 /tmp/tables.live /tmp/tables.subscribed | paste -sd' ' -)"
  extra="$(LC_ALL=C comm -13 /tmp/tables.live /tmp/tables.subscribed | paste -sd' ' -)"
  if [ -n "$unpublished$uncopied$extra" ]; then
    [ -z "$unpublished" ] || echo "cutover: tables of $1 not in its publication $3: $unpublished" >&2
    [ -z "$uncopied" ] || echo "cutover: tables of $1 that $2 has not copied through $3 (not subscribed, or copy not finished): $uncopied" >&2
    [ -z "$extra" ] || echo "cutover: tables $2 subscribes to through $3 that $1 no longer has: $extra" >&2
    echo "cutover: $2 does not have every table of $1: run the replicate Job again (it publishes and copies new tables), then this switch" >&2
    exit 1
  fi
  echo "cutover: $1, its publication $3 and $2's subscription have the same $(wc -l < /tmp/tables.live) tables, all copied"
}

# Switching back: the forward slot on blue, idle since the switch (its subscription disabled), still
# holds every change blue received since, from green through the reverse subscription. Green has
# all of them: replayed once the forward subscription is enabled again (drop-reverse), the first one
# fails on green with a duplicate key, the apply worker retries it forever, the slot never moves and
# blue's WAL grows until its disk fills. Run with both sides fenced and blue caught up with green,
# nothing after this position is on green yet, nothing before it is missing there.
skip_slot() { # SIDE NAME
  moved="$(value "$1" -v "slot=$2" <<'EOF'
SELECT count(pg_catalog.pg_replication_slot_advance(slot_name, pg_catalog.pg_current_wal_lsn()))
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database() AND NOT active;
EOF
)"
  if [ "$moved" = 0 ]; then echo "cutover: no idle slot $2 on $1, nothing to skip"; else echo "cutover: slot $2 on $1 moved to $1's current position: changes already on the other side are not sent again"; fi
}

# The fence: new sessions of the app's role start read-only, and its open sessions end (pooled
# connections reconnect and are refused writes). Its walsenders (replication) are not client backends.
# pg_terminate_backend only signals: a session may still commit its last transaction after it
# returns, so the fence waits until every session it ended is gone; only then is the LSN a later
# wait reads the last write this side accepted.
fence() { # SIDE on|off
  if [ "$2" = on ]; then setting="SET default_transaction_read_only = on"; else setting="RESET default_transaction_read_only"; fi
  on "$1" -v "app_role=$(app_role)" -v "setting=$setting" <<'EOF'
SELECT format('ALTER ROLE %I %s', :'app_role', :'setting') \gexec
EOF
  if [ "$2" != on ]; then echo "cutover: writes of $(app_role) allowed on $1"; return 0; fi
  ended="$(value "$1" -v "app_role=$(app_role)" <<'EOF'
SELECT coalesce(string_agg(pid::text, ','), '') FROM (
  SELECT pid FROM pg_catalog.pg_stat_activity
   WHERE usename = :'app_role' AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend'
  OFFSET 0) app
 WHERE pg_catalog.pg_terminate_backend(pid);
EOF
)"
  n=0
  while [ -n "$ended" ]; do
    left="$(value "$1" -c "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE pid IN ($ended)")"
    [ "$left" = 0 ] && break
    n=$((n + 1)); [ "$n" -lt 150 ] || { echo "cutover: $left session(s) of $(app_role) on $1 did not end after the fence" >&2; exit 1; }
    nap
  done
  echo "cutover: writes of $(app_role) fenced on $1, its sessions there ended"
}

# Rollback quarantine. Expand's rollback keeps what the new app version wrote into a column expand
# added: the Job names `quarantine-column:TABLE:COLUMN:QUARANTINE:LOCK_TIMEOUT` right before the down
# that drops COLUMN (its DROP COLUMN IF EXISTS then finds nothing). By then every later expand step's
# down has run, so no trigger, view or index of cutover names COLUMN. One transaction under the
# spec's lock timeout, retried: a NOT NULL without a default is dropped first (the old version's
# inserts never name the column), then the catalog-only RENAME. Purge drops it later, opt-in.
# Before anything runs, every QUARANTINE must be free wherever COLUMN still exists: an earlier
# rollback's quarantine there would make this one drop COLUMN's data, so the Job stops first.
quarantine_state() { # TABLE COLUMN QUARANTINE: "COLUMN-PRESENT QUARANTINE-PRESENT"
  value "$DEFAULT_SIDE" -v "tbl=$1" -v "col=$2" -v "qua=$3" <<'EOF'
SELECT count(*) FILTER (WHERE attname = :'col') || ' ' || count(*) FILTER (WHERE attname = :'qua')
  FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(:'tbl')) AND attnum > 0 AND NOT attisdropped;
EOF
}
quarantine_precheck() { # the Job's arguments
  for q in "$@"; do
    case "$q" in quarantine-column:*) ;; *) continue ;; esac
    set -f; IFS=:; set -- ${q#quarantine-column:}; unset IFS; set +f
    if [ "$(quarantine_state "$1" "$2" "$3")" = "1 1" ]; then
      echo "cutover: $1 has both $2 and $3 (kept by an earlier rollback of this migration): this rollback would drop what the new version wrote into $2. Nothing was changed. Purge or rename $3 first (ALTER TABLE $1 DROP COLUMN $3), then run this Job again" >&2
      exit 1
    fi
  done
}
quarantine_column() { # TABLE COLUMN QUARANTINE LOCK_TIMEOUT
  case "$(quarantine_state "$1" "$2" "$3")" in
    "0 "*) echo "cutover: $1.$2 is not there (kept as $3 by an earlier run, or never added), nothing to quarantine"; return 0 ;;
    "1 1") echo "cutover: $1 has both $2 and $3: not dropping $2" >&2; exit 1 ;;
  esac
  n=0
  until on "$DEFAULT_SIDE" -v "tbl=$1" -v "col=$2" -v "qua=$3" -v "lock=$4" <<'EOF'
BEGIN;
SELECT pg_catalog.set_config('lock_timeout', :'lock', true) AS cutover_lock_timeout \gset
SELECT format('ALTER TABLE %I ALTER COLUMN %I DROP NOT NULL', :'tbl', :'col')
  FROM pg_catalog.pg_attribute
 WHERE attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(:'tbl')) AND attname = :'col' AND NOT attisdropped AND attnotnull AND NOT atthasdef \gexec
SELECT format('ALTER TABLE %I RENAME COLUMN %I TO %I', :'tbl', :'col', :'qua')
  FROM pg_catalog.pg_attribute
 WHERE attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(:'tbl')) AND attname = :'col' AND NOT attisdropped \gexec
COMMIT;
EOF
  do
    n=$((n + 1)); [ "$n" -lt 5 ] || { echo "cutover: could not quarantine $1.$2 as $3 (lock not granted within $4, 5 tries)" >&2; exit 1; }
    sleep "$n"
  done
  echo "cutover: $1.$2 kept as $3 (what the new version wrote stays; purge drops it)"
}
quarantine_precheck "$@"

for arg in "$@"; do
  case "$arg" in
    checksum:*)
      /bin/sh "$SQL/checksum-psql.sh" "${arg#checksum:}" ;;
    copy-schema:*)
      pair="${arg#copy-schema:}"; from="${pair%%:*}"; to="${pair#*:}"
      wait_ready "$to"
      role="$(cat "/etc/cutover/$from/username")"
      # Only the application's schemas (those its role owns, and public): an operator's own schemas
      # (Spilo's metric_helpers, user_management) are already on green.
      value "$from" -c "SELECT quote_ident(nspname) FROM pg_catalog.pg_namespace
        WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
          AND (nspowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) OR nspname = 'public') ORDER BY 1" > /tmp/schemas
      list="$(sed "s/'/''/g; s/^/'/; s/\$/'/" /tmp/schemas | paste -sd, -)"
      tables="$(value "$to" -c "SELECT count(*) FROM pg_catalog.pg_tables WHERE quote_ident(schemaname) IN (${list:-NULL})")"
      if [ "$tables" != 0 ]; then
        echo "cutover: $to already has tables, schema copy skipped"; continue
      fi
      # The app's role, with the same password, owns what is loaded on green, as on blue: the app
      # logs in with the same Secret after the switch.
      if [ "$(cat "/etc/cutover/$to/username")" != "$role" ]; then
        on "$to" -v "app_role=$role" -v "app_password=$(cat "/etc/cutover/$from/password")" <<'EOF'
SELECT format('CREATE ROLE %I LOGIN', :'app_role') WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'app_role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'app_role', :'app_password') \gexec
SELECT format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO %I', current_database(), :'app_role') \gexec
SELECT format('GRANT USAGE, CREATE ON SCHEMA public TO %I', :'app_role') \gexec
EOF
      fi
      set --
      while IFS= read -r schema; do set -- "$@" -n "$schema"; done < /tmp/schemas
      PGUSER="$role" PGPASSWORD="$(cat "/etc/cutover/$from/password")" \
        pg_dump --schema-only --no-owner --no-privileges --no-publications --no-subscriptions "$@" \
        -h "$(host_of "$from")" -p "$DB_PORT" -d "$DB_NAME" > /tmp/schema.dump
      # A schema the operator already made (public) exists on green and is not the app's to comment on.
      sed -e 's/^CREATE SCHEMA /CREATE SCHEMA IF NOT EXISTS /' -e '/^COMMENT ON SCHEMA public IS /d' /tmp/schema.dump > /tmp/schema.sql
      PGOPTIONS="-c default_transaction_read_only=off" PGUSER="$role" PGPASSWORD="$(cat "/etc/cutover/$from/password")" \
        psql -X -q -v ON_ERROR_STOP=1 --single-transaction -h "$(host_of "$to")" -p "$DB_PORT" -d "$DB_NAME" -f /tmp/schema.sql
      echo "cutover: schema copied from $from to $to ($(paste -sd' ' /tmp/schemas)), owned by $role" ;;
    wait-lag:*)
      wait_lag "${arg#wait-lag:}" ;;
    wait-synced:*)
      spec="${arg#wait-synced:}"; pub="${spec%%:*}"; rest="${spec#*:}"
      wait_synced "$pub" "${rest%%:*}" "${rest#*:}" ;;
    refresh:*)
      spec="${arg#refresh:}"
      refresh "${spec%%:*}" "${spec#*:}" ;;
    same-tables:*)
      spec="${arg#same-tables:}"; pub="${spec%%:*}"; rest="${spec#*:}"
      same_tables "$pub" "${rest%%:*}" "${rest#*:}" ;;
    skip-slot:*)
      spec="${arg#skip-slot:}"
      skip_slot "${spec%%:*}" "${spec#*:}" ;;
    unless-switched:*)
      spec="${arg#unless-switched:}"; side="${spec%%:*}"; name="${spec#*:}"
      case "$(subscription_state "$side" "$name")" in
        "")
          # Gone after cleanup (blue stays fenced), or never created: then the switch would move the app to an empty green.
          fenced="$(value blue -c "SELECT count(*) FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            WHERE r.rolname = '$(app_role | sed "s/'/''/g")' AND 'default_transaction_read_only=on' = ANY (s.setconfig)")"
          if [ "$fenced" != 0 ]; then echo "cutover: switched over and cleaned up already, nothing to do"; exit 0; fi
          echo "cutover: no subscription $name on $side: run the replicate phase first (this switch would move the app to a green without its data)" >&2
          exit 1 ;;
        *)
          if [ "$(switched "$side" "$name")" != 0 ]; then
            echo "cutover: the switch completed already (subscription $name on $side carries its marker), nothing to do"; exit 0
          fi ;;
      esac ;;
    mark-switched:*)
      spec="${arg#mark-switched:}"; mark "${spec%%:*}" "${spec#*:}" on
      echo "cutover: switch marked complete on ${spec%%:*}" ;;
    unmark-switched:*)
      spec="${arg#unmark-switched:}"; mark "${spec%%:*}" "${spec#*:}" off
      echo "cutover: switch marker removed on ${spec%%:*}" ;;
    if-switched:*)
      spec="${arg#if-switched:}"
      if [ "$(switched "${spec%%:*}" "${spec#*:}")" = 0 ]; then
        echo "cutover: the switchover Job has not completed (no marker on subscription ${spec#*:} on ${spec%%:*}): its fence and catch-up must be done before the way back is set up" >&2
        exit 1
      fi ;;
    fence:*)
      fence "${arg#fence:}" on ;;
    unfence:*)
      fence "${arg#unfence:}" off ;;
    sync-sequences:*)
      pair="${arg#sync-sequences:}"; from="${pair%%:*}"; to="${pair#*:}"
      # Never lower than either side: a sequence only moves forward.
      value "$from" -c "SELECT format('SELECT pg_catalog.setval(%L, GREATEST(%s, (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s)), true);',
        quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, quote_ident(schemaname) || '.' || quote_ident(sequencename))
        FROM pg_catalog.pg_sequences WHERE last_value IS NOT NULL" > /tmp/sequences.sql
      on "$to" -At -f /tmp/sequences.sql > /dev/null
      echo "cutover: $(wc -l < /tmp/sequences.sql) sequences on $to at least as far as on $from" ;;
    quarantine-column:*)
      set -f; IFS=:; set -- ${arg#quarantine-column:}; unset IFS; set +f
      quarantine_column "$1" "$2" "$3" "$4" ;;
    forget-flyway:*)
      v="${arg#forget-flyway:}"
      on "$DEFAULT_SIDE" -c "DO \$\$ BEGIN IF to_regclass('flyway_schema_history') IS NOT NULL THEN
        DELETE FROM flyway_schema_history WHERE version IS NOT NULL AND version::numeric >= $v; END IF; END \$\$" ;;
    *:*)
      echo "cutover: applying ${arg#*:} on ${arg%%:*}"
      apply "${arg%%:*}" "$SQL/${arg#*:}" ;;
    *)
      echo "cutover: applying $arg"
      apply "$DEFAULT_SIDE" "$SQL/$arg" ;;
  esac
done
