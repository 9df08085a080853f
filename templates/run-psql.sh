#!/bin/sh
# cutover runner (psql): applies the files and built-in steps named as arguments, in order, and
# stops at the first failure. Every file is idempotent, so a failed Job can simply run again.
#   FILE | SIDE:FILE                apply /etc/cutover/sql/FILE with psql -X -v ON_ERROR_STOP=1 -f (never -1)
#   one-transaction:FILE            the same with --single-transaction (a `sql` change with transactional: true)
#   checksum:TABLE:KEY:int|any      per key range counts and hashes (checksum-psql.sh)
#   checksum-live:TABLE:KEY:MODE    blue-green, before the fence: every range compared; ranges blue still writes
#                                   are left to checksum-fenced (in this Job's /tmp)
#   checksum-fenced:TABLE:KEY:MODE  with blue fenced and green caught up: row count and highest key of both
#                                   sides, and exactly the ranges the live pass left (no full scan in the pause)
#   copy-schema:FROM:TO             pg_dump --schema-only of FROM into TO, when TO has no tables yet
#   wait-lag:PUBLISHER              wait until logical replication from PUBLISHER lags < MAX_LAG_SECONDS
#   wait-synced:PUB:SUB:NAME[:SECONDS]
#                                   wait until subscription NAME on SUB copied every table (state r) and
#                                   applied every transaction PUB had committed when it starts; nothing to
#                                   wait for when NAME is gone, or disabled by the completed switch (its
#                                   marker); a subscription disabled otherwise (by hand, or mid-switch) fails; in a
#                                   switchback before its point of no return, a subscription or slot gone fails;
#                                   SECONDS: fail once the wait took that long (the fenced catch-up's budget)
#   refresh-matviews:FROM:TO        REFRESH MATERIALIZED VIEW on TO (the schema load leaves them unpopulated), those
#                                   another reads first; only those populated on FROM
#   skip-slot:SIDE:NAME             move the inactive slot NAME on SIDE to SIDE's current WAL position (the switchback's
#                                   on blue, both sides fenced, caught up; the switch's on green, blue fenced, green
#                                   caught up), then CHECKPOINT (the move is durable only from there): its
#                                   subscription, enabled again, never replays what it skips; fail unless the slot is
#                                   there, idle and at that position; nothing to skip once that subscription (on the
#                                   other side) is enabled
#   gap-log:PUB:SUB                 the gap detector's log on both sides (as each side's superuser): schema
#                                   cutover_gap, its table log, and a statement-level AFTER INSERT/UPDATE/DELETE/
#                                   TRUNCATE trigger on every application table that logs the app's transaction
#                                   and table (not the apply worker's: replica role); replicate's, before its
#                                   publication (which then carries the log)
#   gap-check:PUB:SUB:NAME:live|fenced
#                                   the log of both sides compared: live (before the fence) every settled row,
#                                   fenced (PUB fenced, SUB caught up) the rows since the live pass; a
#                                   difference (a slot NAME created again at a later position skipped them)
#                                   fails naming per table and minute what SUB lacks, before the point of no return
#   no-large-objects:SIDE           fail when SIDE holds a large object (the switch's, right before its fence:
#                                   logical replication does not carry pg_largeobject; preflight checked it earlier)
#   drop-gap-log:SIDE               drop the gap log's triggers and schema on SIDE (cleanup, rollback-replicate)
#   empty-green:NAME                rollback-replicate's, after green's subscription NAME is dropped: empty every
#                                   application table on green (one TRUNCATE … RESTART IDENTITY, the tables the schema
#                                   load created stay) so that replicate copies anew; refused, changing nothing, under
#                                   cleanup's marker, with blue fenced, while NAME still exists on green, or while
#                                   green carries the switch's record (schema cutover_served, from the mark until a
#                                   completed switchback; cleanup keeps it)
#   xid-holders:SIDE:SECONDS        before the switch creates green's reverse slot (before blue's fence): fail, naming
#                                   them, when transactions holding a transaction id on SIDE's server (a slot's
#                                   creation waits for each) are still open after SECONDS
#   renew-way-back:SIDE:FORWARD:REVERSE
#                                   the switchover's, before the fence: while FORWARD (on SIDE, green) is enabled,
#                                   drop what an earlier attempt left of the way back (blue's disabled subscription
#                                   REVERSE, SIDE's idle slot REVERSE), so that the way back is built anew (its
#                                   subscription's CREATE proves blue reaches green while blue takes writes)
#   enable-subscription:SIDE:NAME   enable the way back's subscription NAME on SIDE (created disabled), unless a
#                                   switchback is past its point of no return; nothing to do when enabled or gone
#   end-sessions:SIDE               end the app role's client sessions on SIDE (as its superuser) and wait until
#                                   they are gone, again each second for END_SESSIONS_SECONDS (5): reverse-replication's,
#                                   once the Service points at green (a pool reconnects to blue until every node's proxy
#                                   has the Service's new endpoints; such a session reads stale rows)
#   unless-switched:SIDE:NAME       end the Job here (success) when subscription NAME on SIDE carries the marker of
#                                   a completed switch, blue is fenced and NAME is disabled, or is gone or carries cleanup's marker with
#                                   blue still fenced (cleaned up, or cleanup started): re-running the switch must change nothing; marked
#                                   with NAME still enabled (stopped after mark-switched), the steps after mark-switched run (the way
#                                   back's part before the Service moves); under the marker a fence on green
#                                   (a killed switchback's) is lifted, and blue found unfenced is fenced again (the way
#                                   back set up) or, forward replication still on, the marker removed and the switch
#                                   run in full; fail when it never existed, or carries the marker of a committed
#                                   switchback (the switchback completes it first); blue fenced without a marker: an
#                                   earlier run's fence, taken over and lifted at once (the app never left blue: the
#                                   work before the fence runs unfenced, fence:blue fences again); cleanup's marker on
#                                   blue (schema cutover_moved): nothing to do
#   unless-switching:SIDE:NAME:switched-ok|refuse
#                                   rollback-replicate's and cleanup's first step: fail under a committed switchback's
#                                   marker, and under the switch's unless switched-ok (cleanup) with blue fenced;
#                                   fail with blue fenced and no marker (a switch stopped after its fence); cleanup
#                                   replaces the switch's marker with its own (cleaning up: no way back from here)
#   not-operator-role:ROLE          fail when blue's Secret logs in as ROLE (Zalando: green's operator-managed owner)
#   drop-lifted-fence:SIDE          drop what a lifted fence left on SIDE (its triggers, 100 ms lock wait each, and
#                                   its schema); a fence in place is never touched
#   mark-switched:SIDE:NAME         the marker (COMMENT ON SUBSCRIPTION NAME), written as the switch's last step
#   if-switched:SIDE:NAME           fail unless that marker is there and NAME disabled (the switch's fence, catch-up and
#                                   way back are done); end the Job here (success) when NAME is gone with blue fenced (cleaned up)
#   while-forward:SIDE:NAME         replicate's first step: end the Job here (success) under the switch's or the
#                                   switchback's marker (forward replication is theirs then: its slot is dropped
#                                   while the app is on green, and the switchback creates it again) or under
#                                   cleanup's marker on blue (schema cutover_moved, never dropped: the app is on
#                                   green for good); fail with blue fenced, or with NAME gone and green holding rows
#   mark-switching-back:SIDE:NAME   the switchback's marker, in place of the switch's: from here the switchback is
#                                   committed (a failure keeps both fences, a re-run completes it)
#   unmark-switched:SIDE:NAME       remove the marker, the switchback's last step (a later switch runs in full)
#   while-switched:SIDE:NAME        switchback's first step: go on under the switch's marker (an earlier run's fence
#                                   on green taken over; blue fenced again if found unfenced; with blue unfenced and
#                                   forward replication on, the app never left blue: marker removed, the Job ends)
#                                   or the switchback's (completing it); without a marker end
#                                   the Job here (success), lifting blue's fence if a switch stopped before its
#                                   mark left one (the app never left blue); fail when the subscription is gone
#                                   and blue fenced, or under cleanup's marker (cleaned up, or cleanup started: no
#                                   way back)
#   fence:SIDE[:SECONDS] | unfence:SIDE
#                                   SIDE refuses the app's writes: a statement trigger on every table (no client
#                                   setting undoes it), default_transaction_read_only for the app's role (blue's
#                                   Secret username), its sessions there ended and gone / lift it without a table
#                                   lock (role reset, the trigger function made a no-op, then the triggers dropped
#                                   where no transaction holds the table). The fence names this run as its owner;
#                                   the EXIT trap lifts only its own, and only while the marker allows it. Before
#                                   anything is fenced: fail naming each session of another role (or prepared
#                                   transaction, or anti-wraparound autovacuum) whose lock on a table the fence
#                                   would wait for; fenced, the sessions' end and the table locks get SECONDS
#                                   (FENCE_LOCK_SECONDS, 5) in all, past which the fence is lifted and the Job fails
#   sync-sequences:FROM:TO          set TO's sequences to GREATEST(FROM's, TO's) (logical replication skips them)
#   forget-flyway:VERSION           remove VERSION and later from flyway_schema_history after a rollback
#   check-lag:SIDE:SLOT:MAX         the rollout analysis' measurement: when slot SLOT on SIDE streams, its
#                                   subscriber must apply SIDE's commits within MAX seconds (logical lag, what
#                                   the switch waits on; measured on the slot, which any role may read); a
#                                   slot absent or idle whose subscription (NAME, on the other side) is disabled
#                                   or gone, or SIDE (or, the slot absent, the other side) not reachable yet, is
#                                   not measured; absent with its subscription enabled, it fails; idle with its
#                                   subscription enabled, it must stream within MAX seconds
#   preflight:SIDE:SLOT             blue-green, before anything changes: SIDE (blue, or green once reachable)
#                                   can carry logical replication (wal_level, a free slot and WAL sender
#                                   beside SLOT, no slot SLOT of another database, every table keyed and
#                                   logged but an extension's, on blue no large object), its credentials connect
#                                   with the rights the later Jobs need (pg_logical_emit_message for the
#                                   catch-ups, CHECKPOINT for the skip), PostgreSQL 11 or later (the way
#                                   back's pg_replication_slot_advance); on green also: the server
#                                   versions are a pair the schema load and replication support
#   quarantine-column:TABLE:COLUMN:QUARANTINE:LOCK_TIMEOUT
#                                   expand's rollback keeps a column expand added: renamed to QUARANTINE right
#                                   before the down that drops it (see "Rollback quarantine" below)
# SIDE is db (expand-contract) or blue/green; blueadmin is blue's host with blue's superuser Secret
# (replication on blue: publication, slot, the way back's subscription, the fence; and the
# conninfo green's subscription reaches blue with). Credentials are read at run time from the Secret files mounted
# read-only at /etc/cutover/SIDE/{username,password}; they never appear in the pod's env.
# In blue-green, each SQL file runs after a session preamble that sets the custom settings
# cutover.blue_conninfo and cutover.green_conninfo (libpq conninfo of each side), which the
# subscription files read with current_setting(); psql variables do not reach inside DO bodies.
# The runner's own sessions override the fence (default_transaction_read_only=off in PGOPTIONS).
# Exit code 65 (REFUSED): a step refused, changing nothing, in a way every run repeats until a person
# acts: a rollback cutover refuses (the SQL raises `cutover rollback refused: …`: rows the new version
# wrote do not fit the old schema), a preflight that found problems (`cutover preflight: N problem(s)`,
# and blue-green's preflight:SIDE:SLOT), a quarantine that would drop what the new version wrote. The
# Jobs' podFailurePolicy fails the Job at once on 65 instead of retrying it backoffLimit times. Any
# other failure exits non-zero otherwise (psql's own status, 1, 143 on TERM) and is retried.
set -eu
SQL=/etc/cutover/sql
DEFAULT_SIDE=db
[ -d /etc/cutover/db ] || DEFAULT_SIDE=blue
SESSION=/tmp/cutover-session.sql
WAIT_ATTEMPTS="${WAIT_ATTEMPTS:-7500}"
# How long unfence (also the EXIT trap's, after a TERM) retries: within the switch Jobs'
# terminationGracePeriodSeconds (180), with room for the step TERM interrupted to end.
UNFENCE_SECONDS="${UNFENCE_SECONDS:-90}"
# How long the fence may take, from the app's role set read-only to every table locked (its sessions'
# end, then the table locks): every second of it is write outage. The Jobs pass it (fence:SIDE:SECONDS).
FENCE_LOCK_SECONDS="${FENCE_LOCK_SECONDS:-5}"

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
apply() { # apply SIDE FILE [PSQL-ARGS]: blue-green files see both conninfos as custom settings of their session
  side="$1" file="$2"; shift 2
  if [ -d /etc/cutover/blue ] && [ -d /etc/cutover/green ]; then
    [ -f "$SESSION" ] || printf '%s\n' \
      "SELECT pg_catalog.set_config('cutover.blue_conninfo', :'blue_conninfo', false) AS cutover_blue," \
      "       pg_catalog.set_config('cutover.green_conninfo', :'green_conninfo', false) AS cutover_green \\gset" > "$SESSION"
    refusable on "$side" -v "blue_conninfo=$(conninfo "$(admin_of blue)")" -v "green_conninfo=$(conninfo green)" "$@" -f "$SESSION" -f "$file"
  else
    refusable on "$side" "$@" -f "$file"
  fi
}
# The client's error as each client prints it: psql (`psql:FILE:LINE: ERROR:  cutover …`), mysql
# (`ERROR 1644 (45000) at line N: cutover …`), flyway (`Message    : …`), liquibase. Only an error line
# counts: a failed statement echoed back (flyway, liquibase) holds the message as a quoted literal.
REFUSED=65
REFUSAL='(ERROR:? +|ERROR [0-9]+ \([0-9A-Z]{5}\)( at line [0-9]+)?: |Message +: +|Exception: +|Liquibase: +)cutover (rollback refused|preflight: [0-9]+ problem)'
CLIENT_ERRORS=/tmp/cutover-client-errors
refusable() { # COMMAND...: run it with its stderr passed through and kept; a refusal ends the Job with 65
  rm -f "$CLIENT_ERRORS" /tmp/cutover-client-status
  { { if "$@" 2>&1 >&3 3>&-; then client=0; else client=$?; fi; echo "$client" > /tmp/cutover-client-status; } | tee "$CLIENT_ERRORS" >&2; } 3>&1
  client="$(cat /tmp/cutover-client-status 2>/dev/null || :)"
  [ "$client" != 0 ] || return 0
  if grep -Eq "$REFUSAL" "$CLIENT_ERRORS"; then
    echo "cutover: refused (exit code $REFUSED): the Job fails at once, as every retry would be refused the same way; the message above says what to change" >&2
    exit "$REFUSED"
  fi
  return "${client:-1}"
}
app_role() { cat /etc/cutover/blue/username; }
# The side's superuser: blue's is the blueadmin Secret where the Job mounts it; green's Secret is
# green's superuser already. The fence, the slots, the publication and green's connection to blue
# (the forward subscription's conninfo) are its work: the app's role needs no REPLICATION.
admin_of() { # SIDE
  if [ "$1" = blue ] && [ -d /etc/cutover/blueadmin ]; then echo blueadmin; else echo "$1"; fi
}

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

# Preflight (blue-green): what would make a later Job fail half-way, or hurt blue once published,
# checked before anything changes; every problem is reported, then the Job fails. Blue's in the
# preflight Job (the first hook), green's as the schema load's first step, once the operator made
# it (the first install's hooks run before green exists). Read-only: safe to run again at any time.
preflight() { # SIDE SLOT
  side="$1"; slot="$2"; problems=0
  problem() { echo "cutover: preflight $side: $*" >&2; problems=$((problems + 1)); }
  # CREATE SUBSCRIPTION needs a superuser, or (PostgreSQL 16+) pg_create_subscription and CREATE on
  # the database (sre10e S2): found out here, not after the copy (the way back's CREATE runs in the switch).
  can_subscribe() { # WHO WHAT FOR
    may="$(value "$1" -c "SELECT CASE WHEN r.rolsuper THEN 't' WHEN current_setting('server_version_num')::int >= 160000 THEN CASE WHEN pg_catalog.pg_has_role(current_user, 'pg_create_subscription', 'MEMBER') AND pg_catalog.has_database_privilege(current_database(), 'CREATE') THEN 't' ELSE 'f' END ELSE 'f' END FROM pg_catalog.pg_roles r WHERE r.rolname = current_user" 2>/dev/null)" || may=""
    [ "$may" = t ] || problem "$(cat "/etc/cutover/$1/username") ($2) may not create $3 (CREATE SUBSCRIPTION): a superuser, or (PostgreSQL 16+) a member of pg_create_subscription with CREATE on the database"
  }
  if ! err="$(value "$side" -c 'SELECT 1' 2>&1 >/dev/null)"; then
    echo "cutover: preflight $side: cannot connect as $(cat "/etc/cutover/$side/username") (its credentials Secret): $err" >&2; exit 1
  fi
  version="$(value "$side" -c 'SHOW server_version_num')"
  [ "$version" -ge 110000 ] || problem "PostgreSQL $version cannot carry the way back: the switchback moves the forward slot with pg_replication_slot_advance, which PostgreSQL has from 11 (logical replication itself from 10)"
  wal="$(value "$side" -c 'SHOW wal_level')"
  [ "$wal" = logical ] || problem "wal_level is $wal, logical replication needs wal_level = logical (a restart; Zalando: spec.postgresql.parameters.wal_level: logical)"
  # A free slot and WAL sender beside what runs already (Patroni's replicas use both); none needed
  # for SLOT once it exists (a later run).
  row="$(value "$side" -F ' ' -v "slot=$slot" <<'EOF'
SELECT current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_catalog.pg_replication_slots)
         - CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = :'slot' AND database = current_database()) THEN 0 ELSE 1 END,
       current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_catalog.pg_stat_replication)
         - CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = :'slot' AND database = current_database() AND active) THEN 0 ELSE 1 END,
       current_setting('max_replication_slots'), current_setting('max_wal_senders');
EOF
)"
  set -- $row
  [ "$1" -ge 0 ] || problem "max_replication_slots ($3) leaves no free slot for $slot: raise it (a restart)"
  [ "$2" -ge 0 ] || problem "max_wal_senders ($4) leaves no free WAL sender for $slot's stream: raise it (a restart)"
  # Every table the publication will carry: keyed (or a replica identity) and logged.
  value "$side" <<'EOF' > /tmp/preflight.tables
SELECT c.oid::regclass::text || CASE WHEN c.relpersistence = 'u' THEN ' is UNLOGGED: logical replication cannot carry it (ALTER TABLE ' || c.oid::regclass::text || ' SET LOGGED)'
       ELSE ' has no primary key nor replica identity: once published, its UPDATE and DELETE would fail (add a primary key, or ALTER TABLE ' || c.oid::regclass::text || ' REPLICA IDENTITY FULL)' END
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
   AND (c.relpersistence = 'u' OR c.relreplident = 'n' OR (c.relreplident IN ('d', 'i') AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident))))
 ORDER BY 1;
EOF
  while IFS= read -r line; do problem "$line"; done < /tmp/preflight.tables
  # Slot names are the cluster's, not the database's: a slot of that name for another database (a
  # second app on the same cluster) would make CREATE fail half-way, or be taken for this one's.
  other="$(value "$side" -v "slot=$slot" <<'EOF'
SELECT string_agg(coalesce(database, '(physical)'), ', ') FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database IS DISTINCT FROM current_database();
EOF
)"
  [ -z "$other" ] || problem "a replication slot named $slot exists on this cluster for database $other: slot names are cluster-wide; give this migration another name (spec name), or drop that slot if it is stale"
  if [ "$side" = blue ]; then
    # Logical replication does not carry large objects (pg_largeobject): green would have none of
    # them, and the app would find every OID it stored dangling after the switch.
    objects="$(value "$side" -c "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata")"
    [ "$objects" = 0 ] || problem "$objects large object(s) in pg_largeobject_metadata: logical replication does not copy large objects, green would have none of them after the switch. Move them into bytea columns (or object storage) and lo_unlink them, or migrate this database with a dump/restore or a physical upgrade instead of blue-green"
  fi
  # The catch-up's position (committed_lsn) is a logical message this side's Secret emits (wait-synced,
  # check-lag), as blue's admin does (skip-slot): a DBA may have revoked it from PUBLIC.
  for who in "$side" $( [ "$side" = blue ] && [ -d /etc/cutover/blueadmin ] && echo blueadmin ); do
    grant="$(value "$who" -c "SELECT CASE WHEN pg_catalog.has_function_privilege('pg_catalog.pg_logical_emit_message(boolean, text, text)', 'EXECUTE') THEN 't' ELSE 'f' END" 2>/dev/null)" || grant=""
    case "$grant" in
      t) ;;
      f) problem "$(cat "/etc/cutover/$who/username") may not execute pg_logical_emit_message, which marks the position every catch-up of the switch waits for: GRANT EXECUTE ON FUNCTION pg_catalog.pg_logical_emit_message(boolean, text, text) TO $(cat "/etc/cutover/$who/username")" ;;
      *) [ "$who" != "$side" ] || problem "cannot ask whether $(cat "/etc/cutover/$who/username") may execute pg_logical_emit_message" ;;
    esac
  done
  case "$side" in
    blue)
      # The publication, the slots, the fence and green's subscription use blue's superuser Secret
      # (blueadmin): the app's role needs nothing for replication.
      if [ -d /etc/cutover/blueadmin ]; then
        if ! err="$(value blueadmin -c 'SELECT 1' 2>&1 >/dev/null)"; then
          problem "cannot connect as blue's superuser $(cat /etc/cutover/blueadmin/username) (replication, the fence and the way back need it): $err"
        elif [ "$(value blueadmin -c "SELECT rolsuper OR rolreplication FROM pg_catalog.pg_roles WHERE rolname = current_user")" != t ]; then
          problem "$(cat /etc/cutover/blueadmin/username) (blue's admin Secret) is neither a superuser nor has REPLICATION: the publication, the slots, the fence's triggers and the way back's subscription need blue's superuser (or, without an operator, a role with REPLICATION that owns the tables)"
        else
          # The switchback's skip-slot makes its advance durable with CHECKPOINT: a superuser's right,
          # or pg_checkpoint's (PostgreSQL 15+). Found out here, not once the app is on green.
          checkpoint="$(value blueadmin -c "SELECT CASE WHEN rolsuper THEN 't' WHEN current_setting('server_version_num')::int >= 150000 THEN CASE WHEN pg_catalog.pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') THEN 't' ELSE 'f' END ELSE 'f' END FROM pg_catalog.pg_roles WHERE rolname = current_user")"
          [ "$checkpoint" = t ] || problem "$(cat /etc/cutover/blueadmin/username) (blue's admin Secret) may not run CHECKPOINT, which the switchback needs to make its slot skip durable: a superuser, or (PostgreSQL 15+) GRANT pg_checkpoint TO $(cat /etc/cutover/blueadmin/username)"
          can_subscribe blueadmin "blue's admin Secret" "the way back's subscription on blue"
        fi
      fi ;;
    green)
      can_subscribe green "green's Secret" "the forward subscription on green"
      # Green runs the version the schema load and replication were planned for: never older than
      # blue (pg_dump of a newer server's schema need not load into an older one), and this
      # runner's pg_dump not older than either server (pg_dump refuses a newer server).
      blue_version="$(value blue -c 'SHOW server_version_num')"
      [ "$version" -ge "$blue_version" ] || problem "green runs PostgreSQL $version, older than blue's $blue_version: blue-green moves to the same or a newer major version"
      dump="$(pg_dump --version | sed 's/^[^0-9]*\([0-9][0-9]*\).*/\1/')"
      for v in "$blue_version" "$version"; do
        [ "$dump" -ge "$((v / 10000))" ] || problem "this runner's pg_dump is version $dump, older than a server ($v): set runner.image to the newer server's client"
      done ;;
  esac
  if [ "$problems" -gt 0 ]; then
    echo "cutover: preflight $side: $problems problem(s), nothing was changed: fix them and run again" >&2; exit "$REFUSED"
  fi
  echo "cutover: preflight $side: wal_level logical, room for slot $slot and its WAL sender, every table keyed and logged"
}

# The analysis' measurement of logical replication lag (an Argo Rollouts job metric), from what any
# role may read: the slot in pg_replication_slots and the publisher's own position. Not
# pg_stat_replication's replay_lag: without pg_read_all_stats (the app's role, which the analysis Job
# mounts for blue) it reads NULL, and a lag of 0. The seconds are measured: from a position past
# every commit made when the check starts (committed_lsn) until the slot's confirmed_flush_lsn (what
# the subscriber applied and flushed) reaches it, waited for at most MAX seconds. An idle slot (the
# direction not in use) is not measured; the bytes behind are logged.
check_lag() { # SIDE SLOT MAX
  if [ ! -s "/etc/cutover/$1/username" ] || ! value "$1" -c 'SELECT 1' >/dev/null 2>&1; then
    echo "cutover: $1 is not reachable (not provisioned yet?): slot $2 not measured"; return 0
  fi
  row="$(value "$1" -F ' ' -v slot="$2" <<'EOF'
SELECT CASE WHEN active THEN 'streaming' ELSE 'idle' END,
       coalesce(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database();
EOF
)"
  if [ -z "$row" ]; then
    # No slot is no lag only where that direction is not in use: its subscription (the slot's name, on
    # the other side) disabled or gone (before replicate, after the switch dropped the forward slot).
    # Enabled, it streams from nothing: the subscriber applies none of SIDE's writes.
    if [ "$1" = green ]; then subscriber=blue; else subscriber=green; fi
    if [ ! -s "/etc/cutover/$subscriber/username" ] || ! value "$subscriber" -c 'SELECT 1' >/dev/null 2>&1; then
      echo "cutover: no slot $2 on $1, and $subscriber (its subscriber) is not reachable: nothing replicates yet, nothing to measure"; return 0
    fi
    sub="$(subscription_state "$subscriber" "$2")" || { echo "cutover: no slot $2 on $1, and $subscriber cannot be asked whether subscription $2 is enabled" >&2; exit 1; }
    case "$sub" in
      ""|disabled) echo "cutover: no slot $2 on $1 (that direction is not in use: subscription $2 on $subscriber is ${sub:-gone}), nothing to measure"; return 0 ;;
      enabled) echo "cutover: no slot $2 on $1, but subscription $2 on $subscriber is enabled: it streams nothing, and $1's writes do not reach $subscriber (the slot was dropped, or lost in a failover: Patroni keeps only slots declared in spec.patroni.slots)" >&2; exit 1 ;;
      *) echo "cutover: cannot read subscription $2 on $subscriber" >&2; exit 1 ;;
    esac
  fi
  # MAX in milliseconds (the spec allows fractions: 0.5 is 500, not 0).
  case "$3" in
    *.*) whole="${3%%.*}"; frac="${3#*.}000"; frac="$(printf '%s' "$frac" | cut -c1-3)" ;;
    *) whole="$3"; frac=000 ;;
  esac
  case "${whole:-0}$frac" in *[!0-9]*) echo "cutover: check-lag: $3 is not a number of seconds" >&2; exit 1 ;; esac
  limit=$(( ${whole:-0} * 1000 + $(echo "$frac" | sed 's/^0*//; s/^$/0/') ))
  set -- "$1" "$2" "$3" $row
  if [ "$4" != streaming ]; then
    # Idle is the direction not in use only when its subscription (the slot's name, on the other
    # side) is disabled or gone. Enabled, its worker should stream: it is given MAX seconds to
    # (re)connect, then the check fails (a worker that cannot connect or keeps failing applies nothing).
    if [ "$1" = green ]; then subscriber=blue; else subscriber=green; fi
    if [ ! -s "/etc/cutover/$subscriber/username" ]; then
      echo "cutover: slot $2 on $1 is idle, $5 bytes behind, and $subscriber (its subscriber) is not mounted to ask whether that direction is in use" >&2; exit 1
    fi
    sub="$(subscription_state "$subscriber" "$2")" || { echo "cutover: slot $2 on $1 is idle and $subscriber (its subscriber) cannot be asked whether subscription $2 is enabled" >&2; exit 1; }
    case "$sub" in
      ""|disabled) echo "cutover: slot $2 on $1 is idle (that direction is not in use: subscription $2 on $subscriber is ${sub:-gone}), $5 bytes behind"; return 0 ;;
      enabled) ;;
      *) echo "cutover: cannot read subscription $2 on $subscriber" >&2; exit 1 ;;
    esac
    started="$(now_ms)"
    while :; do
      active="$(value "$1" -v slot="$2" <<'EOF'
SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name = :'slot' AND database = current_database() AND active;
EOF
)"
      [ "$active" = 0 ] || break
      if [ $(( $(now_ms) - started )) -gt "$limit" ]; then
        echo "cutover: subscription $2 on $subscriber is enabled but slot $2 on $1 has not streamed for $3 s ($5 bytes behind): its worker is not running (cannot connect, or keeps failing: $subscriber's server log says why)" >&2; exit 1
      fi
      nap
    done
  fi
  target="$(committed_lsn "$1")"
  started="$(now_ms)"
  while :; do
    done_="$(value "$1" -v slot="$2" -v target="$target" <<'EOF'
SELECT count(*) FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database() AND confirmed_flush_lsn >= :'target'::pg_lsn;
EOF
)"
    elapsed=$(( $(now_ms) - started )); waited="$((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))"
    if [ "$done_" != 0 ]; then
      if [ "$elapsed" -gt "$limit" ]; then
        echo "cutover: logical replication through slot $2 on $1 lags $waited s ($5 bytes behind when measured), over $3 s" >&2; exit 1
      fi
      echo "cutover: logical replication through slot $2 on $1 lags $waited s ($5 bytes behind when measured), within $3 s"; return 0
    fi
    if [ "$elapsed" -gt "$limit" ]; then
      echo "cutover: logical replication through slot $2 on $1 lags more than $3 s: the subscriber has not applied $1's commits of $waited s ago ($5 bytes behind when measured)" >&2; exit 1
    fi
    nap
  done
}
# Milliseconds since the epoch where date has %N (GNU, BusyBox), else whole seconds (a coarser lag).
now_ms() {
  ns="$(date +%s%N)"
  case "$ns" in *[!0-9]*|"") echo $(( $(date +%s) * 1000 )) ;; *) echo "${ns%??????}" ;; esac
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
# The switchback's point of no return: from here both sides stay fenced until it completes, and a
# re-run completes it. Its own marker: "blue fenced, no marker" is a switch interrupted before its
# mark (the app never left blue), never a switchback half done.
BACK_MARKER='cutover: switching back from green to blue'
# Cleanup's, in place of the switch's, before it drops anything: a cleanup stopped part way (blue's
# reverse subscription dropped, the forward one not yet) leaves no way back, and a switchback then
# would move the app to a blue that misses green's writes since the drop. From here only cleanup goes
# on; the marker goes with the forward subscription, cleanup's own drop.
CLEANUP_MARKER='cutover: cleaning up after the switch from blue to green'
marker_state() { # SIDE NAME: switched, switching-back, cleaning-up, none (no marker), or gone (no subscription)
  value "$1" -v "sub=$2" -v "marker=$MARKER" -v "back=$BACK_MARKER" -v "cleanup=$CLEANUP_MARKER" <<'EOF'
SELECT coalesce((SELECT CASE pg_catalog.obj_description(oid, 'pg_subscription') WHEN :'marker' THEN 'switched' WHEN :'back' THEN 'switching-back' WHEN :'cleanup' THEN 'cleaning-up' ELSE 'none' END
                   FROM pg_catalog.pg_subscription
                  WHERE subname = :'sub' AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())), 'gone');
EOF
}
switched() { # SIDE NAME: 1 when the marker of a completed switch (or of its cleanup) is there, else 0
  marker="$(marker_state "$1" "$2")"
  case "$marker" in switched|cleaning-up) echo 1 ;; switching-back|none|gone) echo 0 ;; *) echo "cutover: cannot read the marker of $2 on $1" >&2; exit 1 ;; esac
}
mark() { # SIDE NAME switched|switching-back|cleaning-up|none
  case "$3" in switched) text="$MARKER" ;; switching-back) text="$BACK_MARKER" ;; cleaning-up) text="$CLEANUP_MARKER" ;; *) text="" ;; esac
  on "$1" -v "sub=$2" -v "text=$text" <<'EOF'
SELECT format('COMMENT ON SUBSCRIPTION %I IS %s', :'sub', CASE WHEN :'text' = '' THEN 'NULL' ELSE quote_literal(:'text') END)
 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = :'sub' AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())) \gexec
EOF
}
# Cleanup's marker on blue, written before its first drop and never removed: the forward subscription
# (and the markers it carries) goes with cleanup, and blue (a fence lifted by hand to retire it, or
# not) must still say that the app moved to green for good. Every later run of a forward Job (a
# `helm upgrade --reuse-values`, an Argo CD sync: PostSync hooks run on every sync) reads it: replicate
# changes nothing, the switch changes nothing, the switchback and rollback-replicate refuse.
MOVED_SCHEMA=cutover_moved
moved_text() { printf 'cutover: cleanup started after the switch from blue to green (subscription %s): the app is on green for good, no way back to blue' "$1"; }
moved() { # 1 when blue carries cleanup's marker, else 0
  value blue -v "schema=$MOVED_SCHEMA" <<'EOF'
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = :'schema')::int;
EOF
}
# Green's own record that the app may have written there (SRE check sre10g): created right before
# the switch's mark (nothing runs between them), dropped only by a completed switchback (before its
# marker goes), kept by cleanup. Every other guard of empty-green is read on blue or from the forward
# subscription, which cleanup drops: blue restored from its snapshot (no cleanup marker, no fence)
# let rollback-replicate empty a production green.
SERVED_SCHEMA=cutover_served
served() { # 1 when green carries the record of a switch to it, else 0
  value "$(admin_of green)" -v "schema=$SERVED_SCHEMA" <<'EOF'
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = :'schema')::int;
EOF
}
mark_served() ( # NAME; a subshell: on() sets the caller's side
  on "$(admin_of green)" -v "schema=$SERVED_SCHEMA" -v "text=cutover: the switch from blue to green (subscription $1) moved the app here; only a completed switchback removes this" <<'EOF'
BEGIN;
SELECT format('CREATE SCHEMA IF NOT EXISTS %I', :'schema') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', :'schema') \gexec
SELECT format('COMMENT ON SCHEMA %I IS %L', :'schema', :'text') \gexec
COMMIT;
EOF
)
unmark_served() ( # a subshell: on() sets the caller's side
  on "$(admin_of green)" -v "schema=$SERVED_SCHEMA" <<'EOF'
SELECT format('DROP SCHEMA IF EXISTS %I', :'schema') \gexec
EOF
)
mark_moved() ( # NAME (the forward subscription); a subshell: on() sets the caller's side
  on "$(admin_of blue)" -v "schema=$MOVED_SCHEMA" -v "text=$(moved_text "$1")" <<'EOF'
BEGIN;
SELECT format('CREATE SCHEMA IF NOT EXISTS %I', :'schema') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', :'schema') \gexec
SELECT format('COMMENT ON SCHEMA %I IS %L', :'schema', :'text') \gexec
COMMIT;
EOF
)
# Tables of the application's schemas on SIDE that hold a row (one name a line): green holding data
# before its forward subscription exists is no copy of blue's (a copy_data subscription would loop on
# duplicate keys). The migration tools' history tables (a schema load by flyway or liquibase) are not data.
tables_with_rows() { # SIDE
  value "$(admin_of "$1")" <<'EOF'
SELECT coalesce(string_agg(format('SELECT %L WHERE EXISTS (SELECT 1 FROM %s)', c.oid::regclass::text, c.oid::regclass), ' UNION ALL ' ORDER BY c.oid), 'SELECT 1 WHERE false')
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_fence') AND n.nspname NOT LIKE 'pg\_%'
   AND c.relname NOT IN ('flyway_schema_history', 'databasechangelog', 'databasechangeloglock')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e') \gexec
EOF
}
# A mark commits the Job (past it, a failure keeps every fence): only while the side this run fenced
# is still fenced by this run. Another run that took the fence over (a replacement pod, a re-created
# Job, the switchback lifting an interrupted switch's fence) decides; this run stops.
own_fence() { # the step that needs it
  if [ -z "$FENCED" ]; then
    echo "cutover: $1: this run holds no fence (fence:SIDE comes first)" >&2; exit 1
  fi
  owner="$(owner_of "$FENCED")"
  if [ "$owner" != "$(owner_text)" ]; then
    echo "cutover: $1: the fence on $FENCED is not this run's (${owner:-lifted}): another run goes on with it, this run stops" >&2
    FENCED=""; exit 1
  fi
}

# The subscriber's count of failed applies and copies (PostgreSQL 15+; 0 before): a subscription that
# keeps failing (a duplicate key on the subscriber, a missing table) never catches up, so the wait ends.
apply_errors() { # SIDE NAME
  version="$(value "$1" -c "SHOW server_version_num")"
  if [ "$version" -ge 150000 ]; then
    value "$1" -c "SELECT coalesce(sum(apply_error_count + sync_error_count), 0) FROM pg_catalog.pg_stat_subscription_stats st JOIN pg_catalog.pg_subscription s ON s.oid = st.subid
      WHERE s.subname = '$2' AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
  else
    echo 0
  fi
}
check_apply() { # SIDE NAME ERRORS-BEFORE
  now="$(apply_errors "$1" "$2")"
  [ "$now" -le "$3" ] || { echo "cutover: subscription $2 on $1 fails to apply changes ($((now - $3)) errors since this wait began; $1's server log says why)" >&2; exit 1; }
}

# A position on SIDE past every transaction committed there so far, and flushed: a transactional
# logical message (ignored by pgoutput, which sends messages only when asked) committed with
# synchronous_commit local (flushed here; `on` would also wait for synchronous standbys, and a lost
# standby would hang the fenced window). Not pg_current_wal_lsn(): that is the write position, and a commit made
# with synchronous_commit off (a server default many set) may still sit in the WAL buffers behind it
# after it returned; a catch-up aimed there ends before that transaction reaches the other side (the
# app's last write before the fence: lost there, or sent back later as a duplicate key). Flushed,
# because a WAL sender sends only flushed WAL. Any role may emit one.
committed_lsn() { # SIDE
  value "$1" <<'EOF'
SET synchronous_commit = local;
SELECT pg_catalog.pg_logical_emit_message(true, 'cutover', 'catch-up');
EOF
}

# Complete before anything depends on it: every table copied (state r), then everything the publisher
# had committed when the wait began applied on the subscriber: the slot's confirmed_flush_lsn (what the
# subscriber reported applied and flushed) reaching the publisher's LSN of that moment. The slot, not
# pg_stat_replication, whose LSNs only pg_read_all_stats may read.
# BUDGET (seconds, optional): the switch's catch-up with blue fenced (SHOULD-FIX S3). Every second of it
# is a second of write outage: past the budget the wait fails, and the Job's EXIT trap lifts the fence
# (the app has not moved). Without one, WAIT_ATTEMPTS polls bound it (25 min by default).
wait_synced() { # PUB SUB NAME [BUDGET]
  budget="${4:-}"; started="$(date +%s)"
  state="$(subscription_state "$2" "$3")"
  case "$state" in
    "")
      # The switchback's wait for blue to catch up with green, before its point of no return: no
      # reverse subscription means green's writes since it went (a cleanup started, a hand drop) are
      # not on blue, and blue must not take the app back.
      if [ -n "$SWITCHING_BACK" ] && [ -z "$COMMITTED" ]; then
        echo "cutover: no subscription $3 on $2: $2 no longer receives $1's writes (cleanup started, or it was dropped by hand), so the app cannot go back to $2 without losing them; nothing was changed, $2 stays fenced" >&2
        exit 1
      fi
      echo "cutover: no subscription $3 on $2, nothing to wait for"; return 0 ;;
    disabled)
      marked="$(switched "$2" "$3")"
      if [ "$marked" = 1 ]; then echo "cutover: subscription $3 on $2 is disabled (switched over), nothing to wait for"; return 0; fi
      echo "cutover: subscription $3 on $2 is disabled, and no switch completed: it applies nothing, so $2 cannot catch up (ALTER SUBSCRIPTION $3 ENABLE, then run this again)" >&2
      exit 1 ;;
  esac
  if [ -n "$SWITCHING_BACK" ] && [ -z "$COMMITTED" ]; then
    slot="$(value "$1" -c "SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name = '$3' AND database = current_database()")"
    if [ "$slot" != 1 ]; then
      echo "cutover: no slot $3 on $1 for subscription $3 on $2: $2 no longer receives $1's writes (cleanup started, or it was dropped by hand), so the app cannot go back to $2 without losing them; nothing was changed, $2 stays fenced" >&2
      exit 1
    fi
  fi
  errors="$(apply_errors "$2" "$3")"
  n=0
  while :; do
    check_apply "$2" "$3" "$errors"
    left="$(value "$2" -c "SELECT count(*) FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
      WHERE s.subname = '$3' AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) AND r.srsubstate <> 'r'")"
    [ "$left" = 0 ] && break
    over_budget "$budget" "$started" "$2 has not finished the initial copy of $3 ($left table(s) not ready)"
    n=$((n + 1)); [ "$n" -lt "$WAIT_ATTEMPTS" ] || { echo "cutover: $2 has not finished the initial copy of $3: $left table(s) not ready" >&2; exit 1; }
    nap
  done
  lsn="$(committed_lsn "$1")"
  n=0
  while :; do
    check_apply "$2" "$3" "$errors"
    done_="$(value "$1" -c "SELECT count(*) FROM pg_catalog.pg_replication_slots
      WHERE slot_name = '$3' AND database = current_database() AND active AND confirmed_flush_lsn >= '$lsn'::pg_lsn")"
    [ "$done_" != 0 ] && break
    over_budget "$budget" "$started" "$2 has not applied $1's changes up to $lsn through $3"
    n=$((n + 1)); [ "$n" -lt "$WAIT_ATTEMPTS" ] || { echo "cutover: $2 has not applied $1's changes up to $lsn through $3" >&2; exit 1; }
    nap
  done
  echo "cutover: $2 has every table of $3 and applied $1 up to $lsn"
}

over_budget() { # BUDGET STARTED WHAT
  [ -n "$1" ] || return 0
  [ $(( $(date +%s) - $2 )) -ge "$1" ] || return 0
  echo "cutover: $3 within $1 s, the budget of the catch-up with the fence on: the switch stops (the fence is lifted; the app has not moved). Run it again once replication keeps up (the rollout analysis' lag, or $1 s more headroom)" >&2
  exit 1
}

# A table created after the subscription: ALTER PUBLICATION ADD TABLE alone does not reach the
# subscriber, which copies and streams only the tables it knew when created or last refreshed. Not in
# the SQL files: REFRESH PUBLICATION cannot run inside a transaction block (hence not in a guarded DO)
# and is refused on a disabled subscription (after the switch, when there is nothing to refresh).
refresh() { # SUB NAME
  state="$(subscription_state "$1" "$2")"
  if [ "$state" = enabled ]; then
    on "$1" -v "sub=$2" <<'EOF'
SELECT format('ALTER SUBSCRIPTION %I REFRESH PUBLICATION WITH (copy_data = true)', :'sub') \gexec
EOF
    echo "cutover: subscription $2 on $1 refreshed (tables added to its publication are copied)"
  fi
}

# Before the app moves, the three lists of tables must agree: a table PUB has and its publication
# does not (created after replicate, or on green after the switch), or one the subscription does not
# have, or has not finished copying, would stay behind on PUB. Leaf tables (partitions, not their
# parents), as the publication (publish_via_partition_root off) and the subscription list them. And
# every sequence sync-sequences:PUB:SUB moves must exist on SUB: one missing there fails that step,
# which runs with a side fenced (and, switching back, past the point of no return). Checked before
# the fence (a switch or switchback bound to fail costs no write pause) and again after it.
same_tables() { # PUB SUB NAME
  # A switchback resumed past its point of no return was checked before it, and is taking the way back
  # apart on purpose (blue's reverse subscription goes): it completes.
  if [ -n "$COMMITTED" ]; then echo "cutover: the switchback is past its point of no return (checked before it): tables not compared again"; return 0; fi
  ident="quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
  value "$(admin_of "$1")" -c "SELECT $ident FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_fence') AND n.nspname NOT LIKE 'pg\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')" > /tmp/tables.live
  value "$(admin_of "$1")" -c "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_catalog.pg_publication_tables
    WHERE pubname = '$3'" > /tmp/tables.published
  value "$(admin_of "$2")" -c "SELECT $ident FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
    JOIN pg_catalog.pg_class c ON c.oid = r.srrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE s.subname = '$3' AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) AND r.srsubstate = 'r'" > /tmp/tables.subscribed
  # The sequences sync-sequences reads (as the side's admin: last_value is NULL for one the reader may not use).
  value "$(admin_of "$1")" -c "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_catalog.pg_sequences WHERE last_value IS NOT NULL" > /tmp/sequences.from
  value "$(admin_of "$2")" -c "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_catalog.pg_sequences" > /tmp/sequences.to
  # comm needs the order of its own collation.
  for f in tables.live tables.published tables.subscribed sequences.from sequences.to; do LC_ALL=C sort -o "/tmp/$f" "/tmp/$f"; done
  unpublished="$(LC_ALL=C comm -23 /tmp/tables.live /tmp/tables.published | paste -sd' ' -)"
  uncopied="$(LC_ALL=C comm -23 /tmp/tables.live /tmp/tables.subscribed | paste -sd' ' -)"
  extra="$(LC_ALL=C comm -13 /tmp/tables.live /tmp/tables.subscribed | paste -sd' ' -)"
  sequences="$(LC_ALL=C comm -23 /tmp/sequences.from /tmp/sequences.to | paste -sd' ' -)"
  if [ -n "$unpublished$uncopied$extra$sequences" ]; then
    [ -z "$unpublished" ] || echo "cutover: tables of $1 not in its publication $3: $unpublished" >&2
    [ -z "$uncopied" ] || echo "cutover: tables of $1 that $2 has not copied through $3 (not subscribed, or copy not finished): $uncopied" >&2
    [ -z "$extra" ] || echo "cutover: tables $2 subscribes to through $3 that $1 no longer has: $extra" >&2
    [ -z "$sequences" ] || echo "cutover: sequences of $1 that $2 does not have (the sequence sync would fail with a side fenced): $sequences" >&2
    if [ "$1" = green ]; then
      # The switchback: the way back carries the tables green had at the switch. Nothing is fenced yet
      # (or green's fence is lifted by the EXIT trap): the app stays on green and writes there.
      echo "cutover: the way back does not carry every table and sequence of green (created on green after the switch?), and switching back would leave their rows behind: nothing was switched back, the app stays on green. Either stay on green (switchover.to=green), or, for each one: create it on blue with the same definition (empty; a sequence too), add the table to green's publication (on green: ALTER PUBLICATION $3 ADD TABLE <table>), refresh blue's subscription (on blue: ALTER SUBSCRIPTION $3 REFRESH PUBLICATION WITH (copy_data = true), which copies green's rows), wait until blue copied it (pg_subscription_rel state r), then run the switchback again" >&2
    else
      echo "cutover: $2 does not have every table and sequence of $1: create a sequence missing on $2 there (the schema load copies only what blue had then), run the replicate Job again (it publishes and copies new tables), then this switch" >&2
    fi
    exit 1
  fi
  echo "cutover: $1, its publication $3 and $2's subscription have the same $(wc -l < /tmp/tables.live) tables, all copied; $2 has the $(wc -l < /tmp/sequences.from) sequences of $1 the sync moves"
}

# The gap detector (SRE review #4, MUST-FIX 4). A slot dropped and created again at the current
# position (Patroni on a new primary after a failover, or a DBA by hand) streams from there: the
# catch-ups report the subscriber caught up, and the transactions in between are missing on it for
# good; the checksums find them only in the tables verify.checksum names. Each side keeps a log,
# cutover_gap.log (its superuser's schema, published with the app's tables), one row per transaction
# and table the app wrote: a statement-level AFTER INSERT/UPDATE/DELETE/TRUNCATE trigger on every
# table inserts it in the app's own transaction, so a transaction the slot skipped is missing its log
# rows on the other side too. The apply worker runs with session_replication_role = replica, where
# the trigger does not fire: the same triggers sit on both sides and only the app's writes log.
# A statement that changed no row (an expiry sweep or a queue poll that found nothing) leaves its
# transaction without an xid: the trigger then logs nothing, since txid_current() would assign one and
# turn every no-op into a durable, replicated write (SRE review sre10f, MUST-FIX 1: 10-20 times slower).
# A statement that changed rows has its xid before its AFTER STATEMENT trigger runs; a transaction with
# no xid wrote nothing, so there is nothing for a slot to skip.
# Created by replicate (before the publication, which then carries it), on both sides, as each
# side's superuser; dropped by cleanup and rollback-replicate (drop-gap-log).
gap_tables() { # the tables the trigger goes on: every application table, partitions included
  printf '%s' "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_fence', 'cutover_gap', 'cutover_moved')
   AND n.nspname NOT LIKE 'pg\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')"
}
gap_log() { # SIDE...
  for gap_side in "$@"; do
    # The triggers one table at a time, each waiting at most 2 s for its lock (CREATE TRIGGER takes
    # SHARE ROW EXCLUSIVE: the app's writes to that table wait behind it); a table already logged is
    # left alone, so a re-run (or one after a table was added) only adds what is missing.
    on "$(admin_of "$gap_side")" -v "side=$gap_side" <<EOF
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS cutover_gap;
REVOKE ALL ON SCHEMA cutover_gap FROM PUBLIC;
CREATE TABLE IF NOT EXISTS cutover_gap.log (
  side text NOT NULL,
  xid bigint NOT NULL,
  tbl text NOT NULL,
  at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (side, xid, tbl)
);
COMMENT ON TABLE cutover_gap.log IS 'cutover: one row per transaction and table the app wrote (side where it ran, its txid): the switch compares both sides';
SELECT format(\$f\$CREATE OR REPLACE FUNCTION cutover_gap.note() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS \$body\$
BEGIN
  IF pg_catalog.txid_current_if_assigned() IS NULL THEN RETURN NULL; END IF;
  INSERT INTO cutover_gap.log (side, xid, tbl)
  VALUES (%L, pg_catalog.txid_current(), pg_catalog.quote_ident(TG_TABLE_SCHEMA) || '.' || pg_catalog.quote_ident(TG_TABLE_NAME))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
\$body\$\$f\$, :'side') \gexec
REVOKE ALL ON FUNCTION cutover_gap.note() FROM PUBLIC;
SET lock_timeout = '2s';
SELECT format('CREATE TRIGGER cutover_gap_note AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE PROCEDURE cutover_gap.note()', c.oid::regclass)
  $(gap_tables)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'cutover_gap_note')
 ORDER BY c.oid \gexec
EOF
    echo "cutover: gap log on $gap_side: $(value "$(admin_of "$gap_side")" -c "SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgname = 'cutover_gap_note'") table(s) log the app's transactions in cutover_gap.log"
  done
}
gap_count() { # SIDE WHERE: "count sum" of the log's rows matching WHERE
  value "$(admin_of "$1")" -F ' ' -c "SELECT count(*), coalesce(sum(xid), 0) FROM cutover_gap.log WHERE $2"
}
gap_has_log() { # SIDE: 1 when the side has the log
  value "$(admin_of "$1")" -c "SELECT (pg_catalog.to_regclass('cutover_gap.log') IS NOT NULL)::int"
}
# live: before the fence, the publisher still taking writes. Its snapshot's xmin X first (every
# transaction of PUB below X has ended), then a catch-up (SUB applied everything PUB committed by
# then), then the log's settled rows compared: those of the other side (the app does not write
# there) and PUB's below X. A full scan of the log, with nothing fenced. X stays in this Job's /tmp.
# fenced: with PUB fenced and SUB caught up, only PUB's rows from X on (an index range of the log's
# key: no full scan in the write pause); the whole log when the live pass did not run in this pod.
# A difference fails the Job before its point of no return, naming per table and minute what is
# missing; the EXIT trap lifts the fence (the app has not moved).
gap_check() { # PUB SUB NAME live|fenced
  if [ -n "$COMMITTED" ]; then echo "cutover: the switchback is past its point of no return (checked before it): gap log not compared again"; return 0; fi
  if [ "$(gap_has_log "$1")" != 1 ]; then
    echo "cutover: no gap log (cutover_gap.log) on $1: replicate ran with a cutover that had none; a slot created again at a later position is found only by the checksums (run the replicate Job of this release to add it)"
    return 0
  fi
  if [ "$(gap_has_log "$2")" != 1 ]; then
    echo "cutover: $1 has the gap log (cutover_gap.log) and $2 has not: the app's transactions cannot be compared; run the replicate Job of this release again (it creates the log on both sides)" >&2
    exit 1
  fi
  pub_lit="'$1'"
  if [ "$4" = live ]; then
    xmin="$(value "$(admin_of "$1")" -c "SELECT pg_catalog.txid_snapshot_xmin(pg_catalog.txid_current_snapshot())")"
    wait_synced "$1" "$2" "$3" > /dev/null
    where="side <> $pub_lit OR xid < $xmin"
  elif [ -s "/tmp/gap-xmin.$1" ]; then
    where="side = $pub_lit AND xid >= $(cat "/tmp/gap-xmin.$1")"
  else
    where="true"
  fi
  a="$(gap_count "$1" "$where")"; b="$(gap_count "$2" "$where")"
  if [ "$a" = "$b" ]; then
    [ "$4" != live ] || printf '%s\n' "$xmin" > "/tmp/gap-xmin.$1"
    echo "cutover: gap log ($4): $2 has all ${a%% *} logged transaction-table rows of $1$( [ "$4" = live ] || echo ' since the live pass')"
    return 0
  fi
  bucket="SELECT tbl || ' ' || side || ' ' || to_char(date_trunc('minute', at), 'YYYY-MM-DD HH24:MI') || ' UTC', count(*) FROM cutover_gap.log WHERE $where GROUP BY 1 ORDER BY 1"
  value "$(admin_of "$1")" -F '|' -c "SET TIME ZONE 'UTC'" -c "$bucket" > /tmp/gap.pub
  value "$(admin_of "$2")" -F '|' -c "SET TIME ZONE 'UTC'" -c "$bucket" > /tmp/gap.sub
  # Per table and minute: what PUB logged and SUB lacks (and, for completeness, the reverse).
  awk -F '|' -v from="$1" -v to="$2" 'NR == FNR { s[$1] = $2; next } { n = $2 - s[$1]; if (n > 0) { split($1, k, " "); printf "cutover: gap: %s: %d transaction(s) %s committed (on %s, minute %s %s) never reached %s\n", k[1], n, from, k[2], k[3], k[4] " " k[5], to } }' /tmp/gap.sub /tmp/gap.pub >&2 || true
  awk -F '|' -v from="$1" -v to="$2" 'NR == FNR { s[$1] = $2; next } { n = $2 - s[$1]; if (n > 0) { split($1, k, " "); printf "cutover: gap: %s: %d transaction(s) on %s only (on %s, minute %s %s), not on %s\n", k[1], n, to, k[2], k[3], k[4] " " k[5], from } }' /tmp/gap.pub /tmp/gap.sub >&2 || true
  echo "cutover: gap log ($4): $1 logged ${a%% *} transaction-table rows, $2 has ${b%% *}: $2 lacks transactions $1 committed (listed above), in tables the checksums may not cover. The slot $3 on $1 was most likely dropped and created again at a later position (Patroni creates a declared slot anew on a new primary after a failover, or it was re-created by hand): it streamed from there, and the catch-ups saw $2 caught up" >&2
  if [ "$1" = green ]; then way_back_differs; fi
  echo "cutover: nothing was switched: blue's fence is lifted, the app keeps writing on blue. Green must be copied again before a switch: roll back replication (rollback.enabled=true: the rollback-replicate Job drops forward replication, empties green's application tables (they stay) and drops the gap log; blue keeps serving), then run stage 1 again (the schema load finds green's tables and skips; replicate copies every table anew) and the switch" >&2
  exit 1
}
drop_gap_log() { # SIDE: the triggers and the log; each trigger waits at most 2 s for its table
  on "$(admin_of "$1")" <<EOF
SET client_min_messages = warning;
SET lock_timeout = '2s';
SELECT format('DROP TRIGGER IF EXISTS cutover_gap_note ON %s', t.tgrelid::regclass)
  FROM pg_catalog.pg_trigger t WHERE t.tgname = 'cutover_gap_note' ORDER BY t.tgrelid \gexec
DROP SCHEMA IF EXISTS cutover_gap CASCADE;
EOF
  echo "cutover: gap log dropped on $1"
}

# Large objects again right before the fence (SRE review #4, SHOULD 1): preflight refused them, but the
# app may have created one since (lo_create, lo_import), and logical replication does not carry
# pg_largeobject: green would lack it after the switch. Checked with SIDE still taking writes, so a
# failure costs no write pause.
# The way out after a gap or differing checksums (SRE review sre10f, MUST-FIX 2): green's copy is
# incomplete, and replicate refuses a green that holds rows (a new copy would loop on duplicate keys),
# so rollback-replicate empties it. Only a green that never served: no cleanup marker on blue (the app
# moved for good), blue not fenced (a switch stopped after its fence is completed or lifted first), the
# forward subscription gone (dropped by this Job's step before, which unless-switching guards: no
# switch marker can remain). A green the app served and left by a completed switchback is a copy again
# (the switchback compared both sides): it may be emptied.
empty_green() { # NAME
  case "$(served)" in
    0) ;;
    1) echo "cutover: green carries the switch's record (schema $SERVED_SCHEMA): the app was moved there and no completed switchback took it back; green is not emptied, green was not changed (this Job's earlier steps ran)" >&2; exit 1 ;;
    *) echo "cutover: cannot tell whether the app was moved to green" >&2; exit 1 ;;
  esac
  if [ "$(moved)" = 1 ]; then
    echo "cutover: blue carries cleanup's marker (schema $MOVED_SCHEMA): green is production; it is not emptied, green was not changed (this Job's earlier steps ran)" >&2; exit 1
  fi
  case "$(fenced blue)" in
    0) ;;
    1) echo "cutover: blue is fenced (a switch stopped after its fence): green is not emptied; run the switch again (it lifts or completes), then this Job; green was not changed (this Job's earlier steps ran)" >&2; exit 1 ;;
    *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
  esac
  if [ "$(marker_state green "$1")" != gone ]; then
    echo "cutover: subscription $1 still exists on green: green is not emptied while it copies or holds the switch's marker; green was not changed (this Job's earlier steps ran)" >&2; exit 1
  fi
  # Green fenced: a switchback left it (it stays fenced, the app on blue). Its rows are not emptied
  # here (the fence refuses the TRUNCATE too); the Job goes on with its other rollback steps.
  case "$(fenced green)" in
    0) ;;
    1) echo "cutover: green is fenced (left by a switchback): not emptied; no Job lifts that fence: before replicate runs again, green must be unfenced and emptied by hand"; return ;;
    *) echo "cutover: cannot tell whether green is fenced" >&2; exit 1 ;;
  esac
  has_log="$(gap_has_log green)"
  # Partitions go with their parent; one statement, so foreign keys between the tables hold. The gap
  # trigger logs the TRUNCATE as green's own: the log is emptied in the same transaction, so that a
  # re-run (this Job stopped before drop-gap-log) is not refused for it.
  list="$(value "$(admin_of green)" -c "SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid) $(gap_tables) AND NOT c.relispartition")"
  if [ -z "$list" ]; then echo "cutover: green has no application table to empty"; return; fi
  log=""; [ "$has_log" != 1 ] || log="TRUNCATE cutover_gap.log;"
  on "$(admin_of green)" <<EOF
SET lock_timeout = '10s';
BEGIN;
TRUNCATE $list RESTART IDENTITY;
$log
COMMIT;
EOF
  echo "cutover: green emptied ($list): its tables stay; run replicate again (stage 1) to copy blue anew"
}
no_large_objects() { # SIDE
  objects="$(value "$(admin_of "$1")" -c "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata")"
  if [ "$objects" != 0 ]; then
    echo "cutover: $objects large object(s) in pg_largeobject_metadata on $1 (created after the preflight): logical replication does not copy large objects, the other side would have none of them after the switch; nothing was fenced. Move them into bytea columns (or object storage) and lo_unlink them, then run this again" >&2
    exit 1
  fi
  echo "cutover: no large object on $1"
}

# Materialized views reach green empty: the schema load's pg_dump --schema-only writes them WITH NO
# DATA, and logical replication carries tables only. Once the copy is complete (after wait-synced),
# before the fence, each one populated on FROM is refreshed on TO, those it reads from first (through
# other materialized views and views, at any depth): as of that moment, not of the switch. Green takes
# no traffic yet, so the plain REFRESH (an ACCESS EXCLUSIVE lock on green's view) blocks nobody. One
# unpopulated on FROM (created WITH NO DATA there) stays so.
refresh_matviews() { # FROM TO
  value "$1" -c "SELECT quote_ident(schemaname) || '.' || quote_ident(matviewname) FROM pg_catalog.pg_matviews WHERE ispopulated" > /tmp/matviews.populated
  value "$2" <<'EOF' > /tmp/matviews.order
WITH RECURSIVE edge AS (
  SELECT DISTINCT r.ev_class AS child, d.refobjid AS parent
    FROM pg_catalog.pg_rewrite r
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass
    JOIN pg_catalog.pg_class p ON p.oid = d.refobjid AND p.relkind IN ('m', 'v')
   WHERE d.refobjid <> r.ev_class
), depth(oid, n) AS (
  SELECT c.oid, 0 FROM pg_catalog.pg_class c WHERE c.relkind IN ('m', 'v')
  UNION ALL
  SELECT e.child, d.n + 1 FROM edge e JOIN depth d ON d.oid = e.parent WHERE d.n < 100
)
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
  FROM depth JOIN pg_catalog.pg_class c ON c.oid = depth.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'm' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
 GROUP BY n.nspname, c.relname ORDER BY max(depth.n), 1;
EOF
  count=0
  while IFS= read -r view; do
    grep -qxF "$view" /tmp/matviews.populated || { echo "cutover: materialized view $view is not populated on $1: left so on $2"; continue; }
    started="$(now_ms)"
    on "$2" -c "REFRESH MATERIALIZED VIEW $view"
    echo "cutover: materialized view $view refreshed on $2 ($(( $(now_ms) - started )) ms; its rows as of now, not of the switch)"
    count=$((count + 1))
  done < /tmp/matviews.order
  echo "cutover: $count materialized view(s) refreshed on $2"
}

# The way back is built before it is needed, and before blue is fenced. While the forward subscription
# (FORWARD on green) is enabled the app has never moved to green in this switch (the switchover Job
# disables it after its mark, once the way back exists, and the Service moves after that Job): anything of the way
# back found then is an earlier attempt's. Blue's reverse subscription REVERSE (disabled: it was never
# enabled while forward replication ran) is dropped, so that the next CREATE SUBSCRIPTION connects to
# green again and proves blue reaches it (network policy, pg_hba, credentials, the right to subscribe)
# while blue still takes writes; green's idle reverse slot is dropped, so the switch creates it again
# where green has received nothing from the app (an old slot would stream what blue already has: a
# duplicate key the apply worker retries forever). With forward replication disabled the way back may
# carry the app's writes: nothing is touched.
renew_way_back() { # SIDE FORWARD REVERSE
  forward="$(subscription_state "$1" "$2")"
  if [ "$forward" != enabled ]; then
    echo "cutover: subscription $2 on $1 is ${forward:-gone}: the way back $3 is kept as it is"; return 0
  fi
  admin="$(admin_of blue)"
  back="$(subscription_state "$admin" "$3")"
  case "$back" in
    enabled)
      echo "cutover: blue's subscription $3 is enabled while forward replication $2 runs (enabled by hand?): the two would send each side's rows back to it; disable it (ALTER SUBSCRIPTION $3 DISABLE on blue), then run this again; nothing was changed" >&2
      exit 1 ;;
    disabled)
      on "$admin" -v "sub=$3" <<'EOF'
SELECT format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', :'sub') \gexec
SELECT format('DROP SUBSCRIPTION %I', :'sub') \gexec
EOF
      echo "cutover: blue's subscription $3, left disabled by an earlier attempt, dropped (created again below: blue connects to green once more)" ;;
  esac
  slot="$(value "$1" -v "slot=$3" <<'EOF'
SELECT CASE WHEN active THEN 'active' ELSE 'idle' END FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database();
EOF
)"
  case "$slot" in
    "") ;;
    idle)
      value "$1" -v "slot=$3" >/dev/null <<'EOF'
SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database() AND NOT active;
EOF
      echo "cutover: $1's slot $3, left by an earlier attempt, dropped (its position is older than what $1 holds: the switch creates it again before blue's fence and skips it to $1's position in the write pause)" ;;
    *)
      echo "cutover: slot $3 on $1 is streaming to a consumer other than this switch (blue's subscription $3 is not enabled): stop that consumer, then run this again; nothing was changed" >&2
      exit 1 ;;
  esac
}

# The way back's subscription, created disabled (before the fence, and before forward replication is
# disabled), starts streaming: reverse-replication's last step, after the Service moved (green's writes
# since wait in green's slot, which the switchover Job created before the move). A
# switchback before its point of no return enables it too (reverse-replication failed, or has not
# run yet, after the switchover Job disabled forward replication: the switchback's catch-up needs it
# streaming). Past that point the switchback detaches it (nothing to enable).
enable_subscription() { # SIDE NAME
  if [ -n "$COMMITTED" ]; then echo "cutover: the switchback is past its point of no return: subscription $2 on $1 is not enabled again"; return 0; fi
  admin="$(admin_of "$1")"
  state="$(subscription_state "$admin" "$2")"
  case "$state" in
    disabled)
      on "$admin" -v "sub=$2" <<'EOF'
SELECT format('ALTER SUBSCRIPTION %I ENABLE', :'sub') \gexec
EOF
      echo "cutover: subscription $2 on $1 enabled (the way back streams)" ;;
    enabled) echo "cutover: subscription $2 on $1 streams already" ;;
    *) echo "cutover: no subscription $2 on $1, nothing to enable" ;;
  esac
}

# Switching back: the forward slot on blue, idle since the switch (its subscription disabled), still
# holds every change blue received since, from green through the reverse subscription. Green has
# all of them: replayed once the forward subscription is enabled again (drop-reverse), the first one
# fails on green with a duplicate key, the apply worker retries it forever, the slot never moves and
# blue's WAL grows until its disk fills. Run with both sides fenced and blue caught up with green,
# nothing after this position is on green yet, nothing before it is missing there.
# The switch runs it on green too (skip-slot:green, issue #10 review sre10e M2): green's reverse slot,
# created before blue's fence (creating a slot waits for every transaction holding an xid there), is
# moved in the write pause past what forward replication applied on green up to the fenced catch-up.
skip_slot() { # SIDE NAME
  if [ "$1" = blue ]; then stops="the switch back stops here"; else stops="the switch stops here"; fi
  # Once its subscription (on the other side) is enabled again, the slot holds only what that
  # subscription has yet to apply: an idle moment of its stream is no reason to skip (a re-run after
  # the switchback unfenced blue would skip the app's writes on blue for good).
  if [ "$1" = blue ]; then subscriber=green; else subscriber=blue; fi
  state="$(subscription_state "$subscriber" "$2")"
  if [ "$state" = enabled ]; then
    echo "cutover: subscription $2 on $subscriber is enabled, its slot on $1 is not skipped"; return 0
  fi
  # To a flushed position past every commit (committed_lsn): an advance stops at the flushed
  # position, and blue's reverse apply worker commits asynchronously.
  admin="$(admin_of "$1")"
  target="$(committed_lsn "$admin")"
  value "$admin" -v "slot=$2" -v "lsn=$target" >/dev/null <<'EOF'
SELECT pg_catalog.pg_replication_slot_advance(slot_name, :'lsn'::pg_lsn)
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database() AND NOT active;
EOF
  # The advance is not durable until the next checkpoint (PostgreSQL says so in slotfuncs.c): a crash
  # of this side before it would bring the slot back to where it was, and the subscription, enabled
  # again, would replay what it skips. Blue's superuser (or green's) may run it.
  on "$admin" -c 'CHECKPOINT'
  # A missing slot, one in use (another consumer streams it), or one left behind the target skipped
  # nothing: the Job fails here, before unmark-switched, so its EXIT trap lifts the other side's
  # fence and the app stays there.
  state="$(value "$admin" -v "slot=$2" -v "lsn=$target" <<'EOF'
SELECT CASE WHEN active THEN 'active' WHEN confirmed_flush_lsn >= :'lsn'::pg_lsn THEN 'skipped' ELSE 'behind ' || coalesce(confirmed_flush_lsn::text, 'nowhere') END
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database();
EOF
)"
  case "$state" in
    skipped) echo "cutover: slot $2 on $1 moved to $1's current position ($target): changes already on the other side are not sent again" ;;
    "") echo "cutover: no slot $2 on $1 (this database): there is nothing to skip, and the subscription enabled after this could not stream; $stops" >&2; exit 1 ;;
    active) echo "cutover: slot $2 on $1 is in use (its subscription on the other side is disabled: another consumer streams it), it was not skipped; $stops" >&2; exit 1 ;;
    *) echo "cutover: slot $2 on $1 is $state, not at $target: what the other side has would be sent to it again; $stops" >&2; exit 1 ;;
  esac
}

# Before the switch creates green's reverse slot (issue #10 review sre10e, M2): creating a logical
# slot waits for every transaction of the server that holds a transaction id (a DBA's open session, a
# CREATE INDEX CONCURRENTLY, an ETL job, a prepared transaction), under the slot file's lock_timeout.
# Given SECONDS to end (the slot comes before blue's fence: nothing is refused meanwhile), those still
# open then are named and the Job fails with nothing fenced.
xid_holders() { # SIDE SECONDS
  waited=0
  while :; do
    value "$(admin_of "$1")" <<'EOF' > /tmp/xid.holders
SELECT format('pid %s (role %s, %s, database %s, transaction open %s s, %s): %s', a.pid, coalesce(a.usename, '?'),
              coalesce(nullif(a.application_name, ''), a.backend_type, '?'), coalesce(a.datname, '?'),
              coalesce(floor(extract(epoch FROM pg_catalog.now() - a.xact_start))::text, '?'), coalesce(a.state, '?'),
              coalesce(left(regexp_replace(a.query, '\s+', ' ', 'g'), 160), '?'))
  FROM pg_catalog.pg_stat_activity a
 WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_catalog.pg_backend_pid()
   AND a.xact_start <= pg_catalog.now() - interval '1 second'
UNION ALL
SELECT format('prepared transaction %L (transaction %s, database %s, prepared %s)', gid, transaction, database, prepared)
  FROM pg_catalog.pg_prepared_xacts
 ORDER BY 1;
EOF
    [ -s /tmp/xid.holders ] || return 0
    if [ "$waited" -ge $(( $2 * 1000 )) ]; then
      sed "s/^/cutover: xid-holders:$1: /" /tmp/xid.holders >&2
      echo "cutover: xid-holders:$1: $(wc -l < /tmp/xid.holders) transaction(s) above, open for over $2 s, hold a transaction id: creating the way back's slot on $1 waits for each of them to end: nothing was fenced and nothing changed (the app keeps writing on blue). End them (pg_terminate_backend(pid); COMMIT PREPARED / ROLLBACK PREPARED for a prepared one) or wait, then run this again" >&2
      exit 1
    fi
    nap; waited=$((waited + 200))
  done
}

# The app role's client sessions on SIDE ended (pg_terminate_backend), and waited for until gone
# (30 s at most, or until DEADLINE, a now_ms value: the fence's budget). The fence ends them once;
# once the Service points at green, the reverse-replication Job ends them on blue again
# (end-sessions:blue): a pool reconnects to blue until the Service moves, and a session opened then
# would keep reading blue's stale rows. Prints how many it ended.
end_sessions() { # SIDE WHEN [DEADLINE]
  admin="$(admin_of "$1")"
  ended="$(value "$admin" -v "app_role=$(app_role)" <<'EOF'
SELECT coalesce(string_agg(pid::text, ','), '') FROM (
  SELECT pid FROM pg_catalog.pg_stat_activity
   WHERE usename = :'app_role' AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend'
  OFFSET 0) app
 WHERE pg_catalog.pg_terminate_backend(pid);
EOF
)"
  n=0
  while [ -n "$ended" ]; do
    left="$(value "$admin" -c "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE pid IN ($ended)")"
    [ "$left" = 0 ] && break
    if [ -n "${3:-}" ] && [ "$(now_ms)" -ge "$3" ]; then
      echo "cutover: $left session(s) of $(app_role) on $1 did not end $2: it is lifted (the app keeps writing on $1)" >&2; exit 1
    fi
    n=$((n + 1)); [ "$n" -lt 150 ] || { echo "cutover: $left session(s) of $(app_role) on $1 did not end $2" >&2; exit 1; }
    nap
  done
  if [ -n "$ended" ]; then printf '%s\n' "$ended" | tr ',' '\n' | wc -l | tr -d ' '; else echo 0; fi
}

# The fence. A role setting alone is advisory: a session may SET default_transaction_read_only = off,
# and pgjdbc's setReadOnly(false) sends SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE. So the
# admin session also puts a statement-level trigger on every table of the side (partitions too: a
# statement on a partition does not fire its parent's statement triggers) that refuses INSERT,
# UPDATE, DELETE and TRUNCATE with SQLSTATE 25006 (read_only_sql_transaction), as PostgreSQL refuses
# a write in a read-only transaction. Its function belongs to the superuser, in a schema of its own
# (cutover_fence): no client can change it, and no session setting turns it off. Logical replication's
# apply workers run with session_replication_role = replica, where ordinary triggers do not fire: the
# reverse subscription still applies (the function says so too, for a restore run as replica).
# The transaction locks every table in SHARE ROW EXCLUSIVE (as CREATE TRIGGER does; also where a
# lifted fence left its trigger, whose function it replaces): it waits for every transaction that
# wrote there to end and commits for all tables at once, so no write lands after it, and a later LSN
# is the last write this side accepted. Before it: the role setting (clients that follow it get the same
# error at once) and the app's sessions ended and gone (a transaction left open would hold the lock).
# Lock waits are bounded and retried (a deadlock with the app's multi-table transactions is retried).
# Unfence (lift) takes no table lock: it resets the role and makes the function do nothing.
# The pause the fence itself may cost is bounded: the locks it would wait for are checked before the
# role setting (fence_blockers), and from the role setting to the last table lock it has SECONDS
# (FENCE_LOCK_SECONDS), past which the Job fails and its EXIT trap lifts the fence.
# One line per lock on a table of SIDE that the fence's LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE would
# wait for (held, or asked for ahead of it), by a session the fence does not end: another role's, a
# prepared transaction's (no session), an anti-wraparound autovacuum's (never cancelled; an ordinary
# autovacuum gives way to a lock waiter after deadlock_timeout). The app's role's sessions are not
# listed: the fence ends them. With MIN-AGE 1, only transactions open a second or more (a short one
# ends within the fence's budget).
fence_blockers() { # SIDE MIN-AGE
  value "$(admin_of "$1")" -v "app_role=$(app_role)" -v "min_age=$2" <<'EOF'
SELECT DISTINCT CASE WHEN l.pid IS NULL THEN 'a prepared transaction (pg_prepared_xacts)'
         ELSE format('pid %s (role %s, %s, transaction open %s s, %s): %s', l.pid, coalesce(a.usename, '?'),
                     coalesce(nullif(a.application_name, ''), a.backend_type, '?'),
                     coalesce(floor(extract(epoch FROM pg_catalog.now() - a.xact_start))::text, '?'), coalesce(a.state, '?'),
                     coalesce(left(regexp_replace(a.query, '\s+', ' ', 'g'), 160), '?')) END
       || CASE WHEN l.granted THEN ' holds ' ELSE ' waits for ' END || l.mode || ' on ' || c.oid::regclass::text
  FROM pg_catalog.pg_locks l
  JOIN pg_catalog.pg_class c ON c.oid = l.relation
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
   AND l.mode IN ('RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
   AND c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_fence') AND n.nspname NOT LIKE 'pg\_%'
   AND l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()
   AND (l.pid IS NULL OR a.usename IS DISTINCT FROM :'app_role' OR a.backend_type <> 'client backend')
   AND NOT (coalesce(a.backend_type, '') = 'autovacuum worker' AND coalesce(a.query, '') NOT LIKE '%to prevent wraparound%')
   AND (:'min_age' = '0' OR l.pid IS NULL OR a.xact_start IS NULL OR a.xact_start <= pg_catalog.now() - interval '1 second')
 ORDER BY 1;
EOF
}
fence() { # SIDE on|off [SECONDS]
  admin="$(admin_of "$1")"
  if [ "$2" != on ]; then
    [ "$FENCED" != "$1" ] || FENCED=""
    lift "$1" any; return 0
  fi
  budget_ms=$(( ${3:-$FENCE_LOCK_SECONDS} * 1000 ))
  # Before anything is fenced: a transaction of another role (a DBA's session, a batch job, a prepared
  # transaction) or an anti-wraparound autovacuum holding a lock the fence's LOCK TABLE waits for would
  # keep the side fenced, refusing every write, for as long as it lasts. Given the same seconds to end
  # (nothing is refused meanwhile), then named, and the Job fails with nothing changed.
  waited=0
  while :; do
    fence_blockers "$1" 1 > /tmp/fence.blockers
    [ -s /tmp/fence.blockers ] || break
    if [ "$waited" -ge "$budget_ms" ]; then
      sed "s/^/cutover: fence:$1: /" /tmp/fence.blockers >&2
      echo "cutover: fence:$1: $(wc -l < /tmp/fence.blockers) lock(s) above, held for over $((budget_ms / 1000)) s, would keep $1 fenced (every write of the app refused) until they end: nothing was fenced and nothing changed. End or wait for those transactions (pg_terminate_backend(pid), COMMIT PREPARED / ROLLBACK PREPARED for a prepared one; an anti-wraparound autovacuum must finish), then run this again" >&2
      exit 1
    fi
    nap; waited=$((waited + 200))
  done
  FENCED="$1"
  fence_started="$(now_ms)"
  # First, in one transaction: the fence's schema, its owner (this run) and the role setting. A fence
  # that exists already (an earlier run's, adopted) becomes this run's.
  on "$admin" -v "app_role=$(app_role)" -v "owner=$(owner_text)" <<'EOF'
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cutover_fence')) AS cutover_owner_lock \gset
CREATE SCHEMA IF NOT EXISTS cutover_fence;
REVOKE ALL ON SCHEMA cutover_fence FROM PUBLIC;
SELECT format('COMMENT ON SCHEMA cutover_fence IS %L', :'owner') \gexec
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'app_role') \gexec
COMMIT;
EOF
  end_sessions "$1" "within $((budget_ms / 1000)) s of the fence" "$((fence_started + budget_ms))" >/dev/null
  # The triggers, only while the fence is still this run's: another run that took it over since (a
  # replacement pod of this Job, or a re-created Job's) goes on with it, and this run stops here. Each
  # try waits for the locks at most what is left of the budget (lock_timeout), a deadlock with the
  # app's multi-table transactions is tried again; past the budget the fence is lifted (the EXIT trap)
  # and the Job fails naming who held the tables. A try waits longer than deadlock_timeout (1 s by
  # default) where the budget allows: an ordinary autovacuum in the way is cancelled only then.
  until left_ms=$(( budget_ms - ($(now_ms) - fence_started) )); [ "$left_ms" -gt 0 ] && out="$(on "$admin" -v "owner=$(owner_text)" -v "lock_timeout=${left_ms}ms" 2>&1 <<'EOF'
SELECT pg_catalog.set_config('lock_timeout', :'lock_timeout', false) AS cutover_lock_timeout \gset
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtext('cutover_fence')) AS cutover_owner_lock \gset
SELECT coalesce((SELECT pg_catalog.obj_description(oid, 'pg_namespace') = :'owner'
                   FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence'), false) AS cutover_own \gset
\if :cutover_own
\else
\echo cutover: fence taken over by another run
\quit
\endif
SELECT format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', c.oid::regclass)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_fence') AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY c.oid \gexec
CREATE OR REPLACE FUNCTION cutover_fence.refuse() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
    RAISE EXCEPTION 'cannot execute % on %.% in a read-only transaction: cutover fenced this database for the blue-green switch', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
      USING ERRCODE = 'read_only_sql_transaction', HINT = 'The application moves to the other side when the switch completes; retry there.';
  END IF;
  RETURN NULL;
END
$body$;
SELECT format('CREATE TRIGGER cutover_fence BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE PROCEDURE cutover_fence.refuse()', c.oid::regclass)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover_fence') AND n.nspname NOT LIKE 'pg\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'cutover_fence')
 ORDER BY c.oid \gexec
COMMIT;
EOF
)"
  do
    if [ $(( $(now_ms) - fence_started )) -ge "$budget_ms" ]; then
      printf '%s\n' "${out:-}" | grep -v '^$' | tail -n 3 >&2 || true
      fence_blockers "$1" 0 | sed "s/^/cutover: fence:$1: /" >&2 || true
      echo "cutover: the fence on $1 could not lock its tables within $((budget_ms / 1000)) s (the locks above, taken after the check before the fence): it is lifted at once (the app keeps writing on $1); end those transactions, then run this again" >&2
      exit 1
    fi
    nap
  done
  case "$out" in
    *"fence taken over by another run"*)
      echo "cutover: the fence on $1 was taken over by another run of this Job ($(owner_of "$1")): it goes on with it, this run stops here" >&2
      FENCED=""; exit 1 ;;
  esac
  echo "cutover: writes fenced on $1 (every table refuses INSERT, UPDATE, DELETE and TRUNCATE; the $(app_role) sessions there ended)"
}

# The fence's owner: this run, named by its pod (HOSTNAME in a pod) and a token of its own (a
# replacement pod of the same Job, or the pod of a Job Helm re-created under the same name, is
# another run). The fence's schema carries it as its comment; a run lifts only the fence it owns.
RUN_TOKEN="${HOSTNAME:-runner}/$$/$(od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')$(date +%s%N 2>/dev/null)"
owner_text() { printf 'cutover fence, owner %s' "$RUN_TOKEN"; }
owner_of() { # SIDE: the comment naming the fence's owner (empty without one)
  value "$(admin_of "$1")" -c "SELECT coalesce(pg_catalog.obj_description(oid, 'pg_namespace'), '') FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence'"
}
# Lift the fence on SIDE: any (unfence:SIDE, a step of its own) or own (the EXIT trap: only while
# the fence is this run's). Without a table lock: one long read on a fenced table (ACCESS SHARE)
# would hold a DROP TRIGGER (ACCESS EXCLUSIVE) and keep the side refusing writes until it ends.
# Instead one transaction resets the role and replaces the trigger function with one that does
# nothing (CREATE OR REPLACE FUNCTION locks no table; the next statement of every session calls
# the new body), and marks the schema lifted: a side is fenced or not, never half. The triggers
# themselves go afterwards, best-effort (drop_lifted_fence). It and a takeover (claim, fence) hold
# the owner lock, so a run never lifts a fence another run took over in the meantime. Bounded by
# UNFENCE_SECONDS (the switch Jobs' terminationGracePeriodSeconds leaves room for it after a TERM):
# each try waits at most 2 s for a lock and 10 s for a connection. Prints "lifted" or "other"
# (another run owns it) with own.
lift() { # SIDE any|own
  admin="$(admin_of "$1")"
  started="$(date +%s)"; export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
  until out="$(on "$admin" -At -v "app_role=$(app_role)" -v "owner=$(owner_text)" -v "which=$2" -v "lifted=$LIFTED" <<'EOF'
SET lock_timeout = '2s';
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cutover_fence')) AS cutover_owner_lock \gset
SELECT :'which' = 'any' OR coalesce((SELECT pg_catalog.obj_description(oid, 'pg_namespace') = :'owner'
                                       FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence'), false) AS cutover_lift \gset
\if :cutover_lift
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
                WHERE r.rolname = :'app_role' AND 'default_transaction_read_only=on' = ANY (s.setconfig)) AS cutover_read_only \gset
SELECT format('ALTER ROLE %I RESET default_transaction_read_only', :'app_role') \gexec
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence') AS cutover_schema \gset
\if :cutover_schema
CREATE OR REPLACE FUNCTION cutover_fence.refuse() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  RETURN NULL;
END
$body$;
SELECT format('COMMENT ON SCHEMA cutover_fence IS %L', :'lifted') \gexec
\endif
SELECT 'lifted';
\else
SELECT 'other';
SELECT false AS cutover_read_only \gset
\endif
COMMIT;
\if :cutover_read_only
SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid)) || ' read-only' FROM pg_catalog.pg_stat_activity
 WHERE usename = :'app_role' AND backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()
   AND backend_start < pg_catalog.clock_timestamp();
\endif
EOF
)"
  do
    [ $(( $(date +%s) - started )) -lt "$UNFENCE_SECONDS" ] || { echo "cutover: the fence on $1 could not be lifted within $UNFENCE_SECONDS s ($1 is not reachable, or its role could not be reset)" >&2; exit 1; }
    nap
  done
  # The sessions of the app that connected while the role setting was there: they keep
  # default_transaction_read_only = on for their whole life (a role setting is read at connection
  # start), and a pool that reconnected at once after the fence ended its sessions keeps refusing
  # every write after the lift. Ended right after the reset commits (their pool reconnects, now
  # read-write); a session that connected earlier was ended by the fence itself. Only when the
  # setting was there: lifting a side that was not fenced ends nothing.
  ended="$(printf '%s\n' "$out" | sed -n 's/ read-only$//p')"
  out="$(printf '%s\n' "$out" | grep -v ' read-only$')"
  if [ "$2" = own ]; then
    echo "$out"
    [ "${ended:-0}" = 0 ] || echo "cutover: $ended session(s) of $(app_role) on $1 that connected while it was fenced (read-only for their whole life) ended: their pool reconnects read-write" >&2
  else
    echo "cutover: writes of $(app_role) allowed on $1"
    [ "${ended:-0}" = 0 ] || echo "cutover: $ended session(s) of $(app_role) on $1 that connected while it was fenced (read-only for their whole life) ended: their pool reconnects read-write"
    drop_lifted_fence "$1"
  fi
}
# A lifted fence's triggers (their function does nothing) and its schema, best-effort: DROP TRIGGER
# takes ACCESS EXCLUSIVE, so each table gets 100 ms (lock_timeout) in a transaction of its own, and
# one a long transaction holds keeps its trigger until a later unfence or the cleanup Job comes by.
# Only while the fence is lifted (the owner lock held, its comment checked): a trigger of a fence set
# again since is never dropped. Never fails: the side takes writes either way.
LIFTED='cutover fence, lifted'
drop_lifted_fence() { # SIDE
  admin="$(admin_of "$1")"
  on "$admin" -v "lifted=$LIFTED" >/dev/null 2>/tmp/unfence-drop.log <<'EOF' || true
\set ON_ERROR_STOP off
SET lock_timeout = '100ms';
SELECT format($do$DO $x$ BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cutover_fence'));
  IF (SELECT pg_catalog.obj_description(oid, 'pg_namespace') FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence') = %L THEN
    EXECUTE 'DROP TRIGGER IF EXISTS cutover_fence ON ' || %L;
  END IF;
END $x$$do$, :'lifted', t.tgrelid::regclass::text)
  FROM pg_catalog.pg_trigger t WHERE t.tgname = 'cutover_fence' ORDER BY t.tgrelid \gexec
DO $x$ BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cutover_fence'));
  IF (SELECT pg_catalog.obj_description(oid, 'pg_namespace') FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence') = 'cutover fence, lifted'
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgname = 'cutover_fence') THEN
    DROP SCHEMA cutover_fence CASCADE;
  END IF;
END $x$;
EOF
  left="$(value "$admin" -c "SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgname = 'cutover_fence'
    AND EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence' AND pg_catalog.obj_description(oid, 'pg_namespace') = '$LIFTED')" 2>/dev/null)" || left=""
  case "$left" in
    0|"") ;;
    *) echo "cutover: $left table(s) on $1 keep the lifted fence's trigger (it does nothing; a transaction held the table): a later unfence:$1 or the cleanup Job drops it" ;;
  esac
}
# Adopt the fence an earlier run left on SIDE (killed outright, or still ending): it becomes this
# run's, so that run's EXIT trap no longer lifts it. Prints 1 when SIDE was fenced (now this run's), else 0.
claim() { # SIDE
  value "$(admin_of "$1")" -v "app_role=$(app_role)" -v "owner=$(owner_text)" -v "lifted=$LIFTED" <<'EOF'
BEGIN;
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cutover_fence')) AS cutover_owner_lock \gset
SELECT (EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence'
                 AND coalesce(pg_catalog.obj_description(oid, 'pg_namespace'), '') <> :'lifted')
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
                 WHERE r.rolname = :'app_role' AND 'default_transaction_read_only=on' = ANY (s.setconfig)))::int AS cutover_fenced \gset
\if :cutover_fenced
CREATE SCHEMA IF NOT EXISTS cutover_fence;
REVOKE ALL ON SCHEMA cutover_fence FROM PUBLIC;
SELECT format('COMMENT ON SCHEMA cutover_fence IS %L', :'owner') \gexec
\endif
COMMIT;
SELECT :'cutover_fenced';
EOF
}

# A Job that fenced a side and then fails lifts the fence again: the app has not moved (the Service
# moves after the Job), and a side left fenced refuses every write of the app until someone acts. The
# switch's last step (mark-switched) keeps blue fenced on purpose; a successful switchback leaves green
# fenced. A Job killed by TERM (its deadline, a deleted pod) runs this too (the TERM trap below); one
# killed outright (a node lost) cannot: its next run adopts the fence (unless-switched, while-switched).
# A Job past its point of no return (the switch marked, or unmarked by the switchback) keeps every
# fence when it fails: the app belongs on the other side now, and a re-run completes the Job.
FENCED=""
COMMITTED=""
MARKING=""
# Where the switch's marker is ("SIDE NAME"), once a step named it (unless-switched, while-switched, mark-*).
MARKED_AT=""
# The forward slot a switchback going on under the switch's marker may create again on blue.
BACK_SLOT=""
# Set by while-switched under the switch's marker: until mark-switching-back, the way back (blue's
# reverse subscription, green's reverse slot) must be there, or the switchback stops (wait-synced).
SWITCHING_BACK=""
# A failure (or TERM) while mark-switched/unmark-switched runs: its COMMENT may have committed before
# psql returned. Committed, the Job is past its point of no return and keeps every fence; unknown (the
# server cannot be asked), it keeps them too: a fence kept by mistake is repaired by re-running the
# Job, a fence lifted past that point splits the app's writes between the two sides.
marking_committed() {
  set -- $MARKING
  state="$( (marker_state "$1" "$2") 2>/dev/null)" || return 0
  case "$state" in
    "$3") return 0 ;;
    switched|switching-back|cleaning-up|none|gone) return 1 ;;
    *) return 0 ;;
  esac
}
# The marker, read before the trap lifts a fence (this run's knowledge may be stale: another run may
# have marked the switch since). Blue's fence is lifted only while nothing is marked (a marked switch,
# or one cleaned up, keeps blue fenced: the app belongs on green); green's only under the switch's
# marker (a switchback past its point of no return, or complete, keeps green fenced). A marker that
# cannot be read leaves the decision to what this run knows (COMMITTED).
marker_allows_lift() {
  set -- $MARKED_AT
  state="$( (marker_state "$1" "$2") 2>/dev/null)" || return 0
  case "$FENCED:$state" in
    blue:none|green:switched|green:cleaning-up) return 0 ;;
    blue:switched|blue:switching-back|blue:cleaning-up|blue:gone|green:switching-back|green:none|green:gone)
      echo "cutover: this Job failed after fencing $FENCED, and the marker on $2 now reads $state: the fence stays (the app belongs on the other side); run the Job again, do not unfence by hand" >&2
      return 1 ;;
    *) return 0 ;;
  esac
}
# A switchback that fails before its point of no return leaves the app on green, and the forward slot
# it created again on blue idle (its subscription disabled): kept, it would hold every WAL segment blue
# writes until someone acts. Dropped while the switch's marker still stands and the subscription is
# disabled; a re-run creates it again (everything blue holds before the next skip came from green).
drop_back_slot() {
  set -- $MARKED_AT
  state="$( (marker_state "$1" "$2") 2>/dev/null)" || return 0
  sub="$( (subscription_state "$1" "$2") 2>/dev/null)" || return 0
  [ "$state" = switched ] && [ "$sub" = disabled ] || return 0
  dropped="$( (value "$(admin_of blue)" -v "slot=$BACK_SLOT" <<'EOF'
SELECT count(pg_catalog.pg_drop_replication_slot(slot_name)) FROM pg_catalog.pg_replication_slots
 WHERE slot_name = :'slot' AND database = current_database() AND NOT active;
EOF
) 2>/dev/null)" || dropped=""
  [ "$dropped" != 1 ] || echo "cutover: the switchback stopped before its point of no return: the forward slot $BACK_SLOT it created again on blue is dropped (idle, it would keep blue's WAL; a re-run creates it again)" >&2
}
lift_on_failure() {
  status=$?
  if [ "$status" != 0 ] && [ -n "$FENCED" ] && [ -z "$COMMITTED" ] && [ -n "$MARKING" ] && marking_committed; then
    echo "cutover: this Job failed while marking the switch, and the mark committed (or cannot be checked): every fence stays; run the Job again to complete it, do not unfence by hand" >&2
    COMMITTED=1
  fi
  if [ "$status" != 0 ] && [ -n "$FENCED" ] && [ -z "$COMMITTED" ] && [ -n "$MARKED_AT" ] && ! marker_allows_lift; then
    COMMITTED=1
  fi
  if [ "$status" != 0 ] && [ -n "$BACK_SLOT" ] && [ -z "$COMMITTED" ]; then drop_back_slot; fi
  if [ "$status" != 0 ] && [ -n "$FENCED" ] && [ -z "$COMMITTED" ]; then
    # Quietly: the Job's last lines are the failure's own. Only this run's fence: another run of
    # this Job that took it over (a replacement pod, or the pod of a Job re-created under the same
    # name while this one still ends) goes on with it.
    if lifted="$( (lift "$FENCED" own) 2> /tmp/unfence.log)" && [ "$lifted" = lifted ]; then
      echo "cutover: this Job failed after fencing $FENCED, and lifted the fence there (the app still uses $FENCED; run the Job again once fixed)" >&2
      grep -h 'connected while it was fenced' /tmp/unfence.log >&2 || true
      echo "cutover: restart the app's pods (kubectl rollout restart) if any of their writes on $FENCED still fail with \"read-only transaction\": a session that connected while $FENCED was fenced stays read-only until it ends" >&2
      drop_lifted_fence "$FENCED" >&2 || true
    elif [ "$lifted" = other ]; then
      echo "cutover: this Job failed after fencing $FENCED; the fence there is another run's now, left to it" >&2
    else
      cat /tmp/unfence.log >&2
      echo "cutover: this Job failed after fencing $FENCED, and the fence could not be lifted: see the runbook's unfence command" >&2
    fi
  fi
  exit "$status"
}
trap lift_on_failure EXIT
# /bin/sh as a container's PID 1 ignores TERM (no default action for PID 1): without this, a Job killed at
# its activeDeadlineSeconds (or a deleted pod) would never run the EXIT trap and leave its fence behind.
trap 'exit 143' TERM
trap 'exit 130' INT

# SIDE carries the fence (the trigger schema naming an owner, not a lifted one, or the role setting): 1, else 0.
fenced() { # SIDE
  value "$(admin_of "$1")" -v "app_role=$(app_role)" -v "lifted=$LIFTED" <<'EOF'
SELECT (EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'cutover_fence'
                 AND coalesce(pg_catalog.obj_description(oid, 'pg_namespace'), '') <> :'lifted')
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
                 WHERE r.rolname = :'app_role' AND 'default_transaction_read_only=on' = ANY (s.setconfig)))::int;
EOF
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
    both="$(quarantine_state "$1" "$2" "$3")"
    if [ "$both" = "1 1" ]; then
      echo "cutover: $1 has both $2 and $3 (kept by an earlier rollback of this migration): this rollback would drop what the new version wrote into $2. Nothing was changed. Purge or rename $3 first (ALTER TABLE $1 DROP COLUMN $3), then run this Job again" >&2
      exit "$REFUSED"
    fi
  done
}
quarantine_column() { # TABLE COLUMN QUARANTINE LOCK_TIMEOUT
  both="$(quarantine_state "$1" "$2" "$3")"
  case "$both" in
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

# A checksum that differs fails the Job. In a switchback (before its point of no return) it means
# blue lacks some of green's writes although the way back reports blue caught up: the reverse slot
# was lost and created again at a later position (Patroni re-creates a permanent slot after a
# failover of green), and what green wrote in between never reached blue. The app stays on green
# (the EXIT trap lifts green's fence); the runbook says how to stay there or copy blue again.
way_back_differs() {
  if [ -n "$SWITCHING_BACK" ] && [ -z "$COMMITTED" ]; then
    echo "cutover: the way back lost some of green's writes: blue differs from green although it applied everything green's slot sent (a reverse slot lost and created again, e.g. by Patroni after a failover of green). Do not switch back: the app stays on green, green's fence is lifted. Stay on green (switchover.to=green), or copy blue again from green and then switch back: the runbook's Switch over section, \"If switching back fails\", state 4" >&2
  fi
  exit 1
}
# Set by unless-switched when a marked switch stopped before the steps after its mark: the
# arguments up to and including that one are skipped (already done), the rest run.
SKIP_PAST=""
for arg in "$@"; do
  if [ -n "$SKIP_PAST" ]; then
    [ "$arg" != "$SKIP_PAST" ] || SKIP_PAST=""
    continue
  fi
  case "$arg" in
    checksum:*)
      /bin/sh "$SQL/checksum-psql.sh" "${arg#checksum:}" ;;
    check-lag:*)
      spec="${arg#check-lag:}"; side="${spec%%:*}"; rest="${spec#*:}"
      check_lag "$side" "${rest%%:*}" "${rest#*:}" ;;
    preflight:*)
      spec="${arg#preflight:}"
      [ "${spec%%:*}" != green ] || wait_ready green
      preflight "${spec%%:*}" "${spec#*:}" ;;
    checksum-live:*)
      CHECKSUM_STAGE=live CHECKSUM_ATTEMPTS="${CHECKSUM_ATTEMPTS:-5}" /bin/sh "$SQL/checksum-psql.sh" "${arg#checksum-live:}" || way_back_differs ;;
    checksum-fenced:*)
      CHECKSUM_STAGE=fenced /bin/sh "$SQL/checksum-psql.sh" "${arg#checksum-fenced:}" || way_back_differs ;;
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
      # The extensions blue has (but plpgsql), before the schema that uses them: pg_dump -n leaves
      # them out. Each at blue's version where green offers it, else green's default version (a major
      # upgrade often ships only a newer one; said); none missing, checked before anything is created.
      value "$from" -F '|' -c "SELECT e.extname, e.extversion, n.nspname, quote_ident(n.nspname) FROM pg_catalog.pg_extension e
        JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.oid" > /tmp/extensions
      : > /tmp/extensions.plan
      while IFS='|' read -r ext version schema quoted; do
        how="$(value "$to" -v ext="$ext" -v version="$version" <<'EOF'
SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = :'ext') THEN 'installed'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_available_extension_versions WHERE name = :'ext' AND version = :'version') THEN 'same'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = :'ext') THEN 'other'
            ELSE 'missing' END;
EOF
)"
        [ "$how" != missing ] || { echo "cutover: extension $ext $version (schema $schema on $from) is not available on $to: install its package in $to's image (Spilo ships most contrib and common extensions), then run this again; nothing was loaded" >&2; exit 1; }
        printf '%s|%s|%s|%s|%s\n' "$ext" "$version" "$schema" "$quoted" "$how" >> /tmp/extensions.plan
      done < /tmp/extensions
      while IFS='|' read -r ext version schema quoted how; do
        [ "$how" != installed ] || { echo "cutover: extension $ext is on $to already"; continue; }
        [ "$how" = same ] || echo "cutover: extension $ext $version is not available on $to: its default version instead (ALTER EXTENSION $ext UPDATE on $from first to compare like with like)"
        # An app schema it lives in is the app's role's, as the dump would have made it.
        owner=""; ! grep -qxF "$quoted" /tmp/schemas || owner="$role"
        on "$to" -v ext="$ext" -v version="$version" -v schema="$schema" -v how="$how" -v owner="$owner" <<'EOF'
SELECT format('CREATE SCHEMA IF NOT EXISTS %I', :'schema') || CASE WHEN :'owner' = '' THEN '' ELSE format(' AUTHORIZATION %I', :'owner') END \gexec
SELECT format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I', :'ext', :'schema') || CASE WHEN :'how' = 'same' THEN format(' VERSION %L', :'version') ELSE '' END || ' CASCADE' \gexec
EOF
        echo "cutover: extension $ext created on $to"
      done < /tmp/extensions.plan
      # Grants to other roles and default privileges come along (--no-privileges would drop them): a
      # role they name that green lacks is created there NOLOGIN (only to hold the grants; its login
      # and password are the DBA's, or the operator's manifest).
      list="$(sed "s/'/''/g; s/^/'/; s/\$/'/" /tmp/schemas | paste -sd, -)"
      value "$from" <<EOF > /tmp/grantees
SELECT DISTINCT r.rolname FROM (
  SELECT (pg_catalog.aclexplode(c.relacl)).grantee FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE quote_ident(n.nspname) IN (${list:-NULL})
  UNION SELECT (pg_catalog.aclexplode(a.attacl)).grantee FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE quote_ident(n.nspname) IN (${list:-NULL})
  UNION SELECT (pg_catalog.aclexplode(p.proacl)).grantee FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE quote_ident(n.nspname) IN (${list:-NULL})
  UNION SELECT (pg_catalog.aclexplode(t.typacl)).grantee FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE quote_ident(n.nspname) IN (${list:-NULL})
  UNION SELECT (pg_catalog.aclexplode(n.nspacl)).grantee FROM pg_catalog.pg_namespace n WHERE quote_ident(n.nspname) IN (${list:-NULL})
  UNION SELECT (pg_catalog.aclexplode(d.defaclacl)).grantee FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace WHERE d.defaclnamespace = 0 OR quote_ident(n.nspname) IN (${list:-NULL})
  UNION SELECT d.defaclrole FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace WHERE d.defaclnamespace = 0 OR quote_ident(n.nspname) IN (${list:-NULL})
) g JOIN pg_catalog.pg_roles r ON r.oid = g.grantee ORDER BY 1;
EOF
      while IFS= read -r grantee; do
        created="$(value "$to" -v grantee="$grantee" <<'EOF'
SELECT format('CREATE ROLE %I NOLOGIN', :'grantee') WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'grantee') \gexec
EOF
)"
        [ -z "$created" ] || echo "cutover: role $grantee created on $to NOLOGIN (blue's grants name it; give it LOGIN and a password there if it logs in)"
      done < /tmp/grantees
      set --
      while IFS= read -r schema; do set -- "$@" -n "$schema"; done < /tmp/schemas
      PGUSER="$role" PGPASSWORD="$(cat "/etc/cutover/$from/password")" \
        pg_dump --format=custom --schema-only --no-owner --no-publications --no-subscriptions "$@" \
        -h "$(host_of "$from")" -p "$DB_PORT" -d "$DB_NAME" -f /tmp/schema.dump
      pg_restore --no-owner --no-privileges -f /tmp/schema.ddl /tmp/schema.dump
      # A schema the operator already made (public) exists on green and is not the app's to comment on.
      # The gap log's triggers (a blue that kept them from an earlier attempt) name blue's cutover_gap
      # schema, which is not the app's: replicate creates them on green with its own.
      sed -e 's/^CREATE SCHEMA /CREATE SCHEMA IF NOT EXISTS /' -e '/^COMMENT ON SCHEMA public IS /d' -e '/^CREATE TRIGGER cutover_gap_note /d' /tmp/schema.ddl > /tmp/schema.sql
      # The privileges alone (ACL and DEFAULT ACL entries), applied by green's admin after the objects:
      # a grant on an object the app's role owns, or default privileges of another role, need it.
      { pg_restore -l /tmp/schema.dump | grep -E '^[0-9]+; [0-9]+ [0-9]+ (DEFAULT )?ACL ' || true; } > /tmp/acl.list
      pg_restore --no-owner -L /tmp/acl.list -f /tmp/acl.sql /tmp/schema.dump
      # One transaction on green: the objects created as the app's role (it owns them, as on blue),
      # then the privileges as green's admin.
      printf '%s\n' 'SET ROLE :"app_role";' '\i /tmp/schema.sql' 'RESET ROLE;' '\i /tmp/acl.sql' > /tmp/load.sql
      on "$to" --single-transaction -v app_role="$role" -f /tmp/load.sql
      echo "cutover: schema copied from $from to $to ($(paste -sd' ' /tmp/schemas)), owned by $role, with $(grep -c . /tmp/acl.list) privilege entries and $(grep -c . /tmp/extensions) extensions" ;;
    wait-lag:*)
      wait_lag "${arg#wait-lag:}" ;;
    wait-synced:*)
      spec="${arg#wait-synced:}"; pub="${spec%%:*}"; rest="${spec#*:}"; sub="${rest%%:*}"; rest="${rest#*:}"
      case "$rest" in *:*) wait_synced "$pub" "$sub" "${rest%%:*}" "${rest#*:}" ;; *) wait_synced "$pub" "$sub" "$rest" ;; esac ;;
    refresh:*)
      spec="${arg#refresh:}"
      refresh "${spec%%:*}" "${spec#*:}" ;;
    refresh-matviews:*)
      spec="${arg#refresh-matviews:}"
      refresh_matviews "${spec%%:*}" "${spec#*:}" ;;
    same-tables:*)
      spec="${arg#same-tables:}"; pub="${spec%%:*}"; rest="${spec#*:}"
      same_tables "$pub" "${rest%%:*}" "${rest#*:}" ;;
    no-large-objects:*)
      no_large_objects "${arg#no-large-objects:}" ;;
    gap-log:*)
      spec="${arg#gap-log:}"
      gap_log "${spec%%:*}" "${spec#*:}" ;;
    gap-check:*)
      spec="${arg#gap-check:}"; pub="${spec%%:*}"; rest="${spec#*:}"; sub="${rest%%:*}"; rest="${rest#*:}"
      gap_check "$pub" "$sub" "${rest%%:*}" "${rest#*:}" ;;
    empty-green:*)
      empty_green "${arg#empty-green:}" ;;
    drop-gap-log:*)
      drop_gap_log "${arg#drop-gap-log:}" ;;
    renew-way-back:*)
      spec="${arg#renew-way-back:}"; side="${spec%%:*}"; rest="${spec#*:}"
      renew_way_back "$side" "${rest%%:*}" "${rest#*:}" ;;
    enable-subscription:*)
      spec="${arg#enable-subscription:}"
      enable_subscription "${spec%%:*}" "${spec#*:}" ;;
    skip-slot:*)
      spec="${arg#skip-slot:}"
      skip_slot "${spec%%:*}" "${spec#*:}" ;;
    xid-holders:*)
      spec="${arg#xid-holders:}"
      xid_holders "${spec%%:*}" "${spec#*:}" ;;
    unless-switched:*)
      spec="${arg#unless-switched:}"; side="${spec%%:*}"; name="${spec#*:}"
      MARKED_AT="$side $name"
      marker="$(marker_state "$side" "$name")"
      case "$marker" in gone|none)
        if [ "$(moved)" = 1 ]; then
          echo "cutover: switched over and cleaned up already (blue carries cleanup's marker, schema $MOVED_SCHEMA), nothing to do"; exit 0
        fi ;;
      esac
      case "$marker" in
        gone)
          # Gone after cleanup (blue stays fenced), or never created: then the switch would move the app to an empty green.
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            1) echo "cutover: switched over and cleaned up already, nothing to do"; exit 0 ;;
            0) echo "cutover: no subscription $name on $side: run the replicate phase first (this switch would move the app to a green without its data)" >&2; exit 1 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac ;;
        switched)
          # The marker says the switch completed; the fences say whether it still holds. Each re-run
          # ends in the switched state: blue fenced, green taking writes.
          green_fenced="$(fenced green)"
          case "$green_fenced" in
            1) # A switchback that stopped before its point of no return (killed outright, so its EXIT
               # trap never ran) left green fenced: the app stays on green, where this switch puts it.
               claimed="$(claim green)"
               fence green off
               echo "cutover: green carried the fence of a switchback that stopped before its point of no return: lifted (the app stays on green)" ;;
            0) ;;
            *) echo "cutover: cannot tell whether green is fenced" >&2; exit 1 ;;
          esac
          blue_fenced="$(fenced blue)"
          forward="$(subscription_state "$side" "$name")"
          case "$blue_fenced:$forward" in
            1:disabled) echo "cutover: the switch completed already (subscription $name on $side carries its marker, blue fenced), nothing to do"; exit 0 ;;
            1:enabled)
              # Marked, and stopped before the steps after the mark (green's reverse slot, forward
              # replication disabled): the Service moves only once this Job succeeds, so the app is
              # still on blue, fenced. Past the point of no return (every fence stays on a failure),
              # this run goes on with the steps after mark-switched, which complete the way back.
              COMMITTED=1
              SKIP_PAST="mark-switched:$side:$name"
              echo "cutover: the switch is marked (subscription $name on $side) but forward replication still runs: the way back is completed before the Service moves" ;;
            0:enabled)
              # Blue lifted by hand under the marker (the runbook's unfence after a Job killed at its
              # mark, before it disabled forward replication): the app is still on blue and writes there, and the
              # forward subscription still streams. The marker no longer holds: removed, and the switch
              # runs again in full (fence, catch-up, checks), or the app's writes since would be lost.
              mark "$side" "$name" none
              echo "cutover: subscription $name on $side carries the switch's marker but blue is not fenced (lifted by hand?) and forward replication still runs: the marker is removed and the switch runs again in full" ;;
            0:disabled)
              # The way back is set up (the switchover Job disabled the forward subscription): the app
              # belongs on green, and blue must refuse its writes. Fenced again; a write blue accepted
              # while it was not never reaches green.
              fence blue on
              FENCED=""
              echo "cutover: blue was not fenced though switched (lifted by hand?): fenced again. A write the app made on blue meanwhile is not on green: compare both sides before cleanup" >&2
              exit 0 ;;
            *) echo "cutover: cannot tell whether blue is fenced or read subscription $name on $side" >&2; exit 1 ;;
          esac ;;
        switching-back)
          echo "cutover: a switchback to blue passed its point of no return and has not completed (subscription $name on $side carries its marker; both sides fenced): run the switchback again (switchover.to=blue) to complete it, then switch again; nothing was changed" >&2
          exit 1 ;;
        cleaning-up)
          # Cleanup started after the switch (its marker): as cleaned up, the switch holds.
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            1) echo "cutover: switched over and cleanup started (subscription $name on $side carries its marker), nothing to do"; exit 0 ;;
            0) echo "cutover: cleanup started after the switch (subscription $name on $side carries its marker) but blue is not fenced (lifted by hand?): the app belongs on green; fence blue and run cleanup again" >&2; exit 1 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac ;;
        none)
          # Blue fenced and no marker: an earlier run of this switch stopped after its fence (killed
          # outright, or still ending). This run takes the fence over: that run no longer lifts it, and
          # this one lifts it should it fail (the app still uses blue).
          # Taken over, then lifted at once: no marker, so the app never left blue, and the work before the
          # fence (the live checksums, the unfenced catch-up, the way back's renewal: unbounded) must not run
          # with blue refusing writes. This run fences blue again at its fence step; the write pause stays
          # within the fenced budget (kill -9 after the fence, or a Job's retry after a node loss, M5).
          claimed="$(claim blue)"
          case "$claimed" in
            1) fence blue off
               echo "cutover: blue carried the fence of an earlier run of this switch that stopped before its mark (the app never left blue): taken over and lifted; this run fences blue again after the work before the fence" ;;
            0) ;;
            *) echo "cutover: cannot tell whether blue carries an earlier run's fence" >&2; exit 1 ;;
          esac ;;
        *) echo "cutover: cannot read the marker of $name on $side" >&2; exit 1 ;;
      esac ;;
    while-switched:*)
      spec="${arg#while-switched:}"; side="${spec%%:*}"; name="${spec#*:}"
      MARKED_AT="$side $name"
      if [ "$(moved)" = 1 ]; then
        echo "cutover: no way back: cleanup started after the switch to green (blue carries its marker, schema $MOVED_SCHEMA; it drops the way back, and green's writes since are missing on blue). The app stays on green: set switchover.to=green again; nothing was changed" >&2
        exit 1
      fi
      marker="$(marker_state "$side" "$name")"
      case "$marker" in
        gone)
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            1) echo "cutover: no subscription $name on $side and blue fenced: the switch was cleaned up, there is no way back to blue (green's writes never reached it)" >&2; exit 1 ;;
            0) echo "cutover: no subscription $name on $side and blue not fenced: the app never left blue, nothing to switch back"; exit 0 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac ;;
        switched)
          # The marker alone is no proof the app is on green: blue lifted by hand under it changes what
          # switching back means.
          blue_fenced="$(fenced blue)"
          forward="$(subscription_state "$side" "$name")"
          case "$blue_fenced:$forward" in
            1:enabled)
              # Marked, but the way back was never put in use: the switchover Job disables forward replication
              # after its mark, once the way back is complete, and the Service moves only after that Job. The app is still on blue, fenced, and green
              # took no write of it: lift blue's fence (taken over first), a fence on green too, and the marker.
              claimed="$(claim blue)"
              fence blue off
              claimed="$(claim green)"
              [ "$claimed" != 1 ] || fence green off
              mark "${spec%%:*}" "$name" none  # not $side: fence (on) set it to the side it fenced
              echo "cutover: subscription $name on ${spec%%:*} carries the switch's marker, but forward replication still runs: the way back was never set up and the app never left blue; blue's fence lifted, marker removed, nothing to switch back"; exit 0 ;;
            1:*) ;;
            0:enabled)
              # The way back was never set up (forward replication still runs) and blue takes writes: the
              # app never left blue. Nothing to switch back: the marker goes, a fence on green too.
              claimed="$(claim green)"
              [ "$claimed" != 1 ] || fence green off
              mark "${spec%%:*}" "$name" none  # not $side: fence (on) set it to the side it fenced
              echo "cutover: subscription $name on ${spec%%:*} carries the switch's marker, but blue is not fenced and forward replication still runs: the app never left blue; marker removed, nothing to switch back"; exit 0 ;;
            0:disabled)
              # The app belongs on green; blue must refuse its writes until this switchback lets it.
              fence blue on
              FENCED=""
              echo "cutover: blue was not fenced though switched (lifted by hand?): fenced again before switching back; a write the app made on blue meanwhile is not on green" >&2 ;;
            *) echo "cutover: cannot tell whether blue is fenced or read subscription $name on $side" >&2; exit 1 ;;
          esac
          BACK_SLOT="$name"
          SWITCHING_BACK=1
          # The checksums' wording: green is the side taking writes here (sre10e S5).
          export CHECKSUM_LIVE_SIDE=green
          # An earlier run stopped after fencing green: this run takes that fence over.
          claimed="$(claim green)"
          case "$claimed" in
            1) FENCED=green; echo "cutover: green carries the fence of an earlier run of this switchback, now this run's; lifted again should this run fail" ;;
            0) ;;
            *) echo "cutover: cannot tell whether green carries an earlier run's fence" >&2; exit 1 ;;
          esac ;;
        switching-back)
          COMMITTED=1
          echo "cutover: a switchback passed its point of no return already (subscription $name on $side carries its marker): completing it" ;;
        cleaning-up)
          echo "cutover: no way back: cleanup started after the switch (subscription $name on $side carries its marker; it may have dropped the way back already, and green's writes since would be missing on blue). Blue stays fenced, the app stays on green: set switchover.to=green again and run cleanup again to complete it; nothing was changed" >&2
          exit 1 ;;
        none)
          # Never marked as switched: the switch to green never completed, and the app never left blue.
          # A switch stopped after its fence left blue fenced: the way back lifts it (taken over first, so
          # that run, should it still be ending, no longer marks its switch).
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            1) claimed="$(claim blue)"
               fence blue off
               echo "cutover: the switch to green stopped before it completed (blue fenced, no marker on $name): the app never left blue, whose fence is lifted; nothing to switch back"; exit 0 ;;
            0) echo "cutover: not switched to green (no marker on subscription $name on $side, blue not fenced), nothing to switch back"; exit 0 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac ;;
        *) echo "cutover: cannot read the marker of $name on $side" >&2; exit 1 ;;
      esac ;;
    unless-switching:*)
      # rollback-replicate and cleanup drop replication: never while a switch or a switchback holds the
      # app in between. SWITCHED: ok (cleanup after the switch) or refuse (rollback-replicate, whose
      # drop would lose the way back and the marker while the app is on green).
      spec="${arg#unless-switching:}"; side="${spec%%:*}"; rest="${spec#*:}"; name="${rest%%:*}"; switched_ok="${rest#*:}"
      marker="$(marker_state "$side" "$name")"
      case "$switched_ok:$marker" in refuse:gone|refuse:none)
        if [ "$(moved)" = 1 ]; then
          echo "cutover: blue carries cleanup's marker (schema $MOVED_SCHEMA): the app moved to green for good, and green is production; a rollback of the replication (and of green's schema after it) is refused; nothing was changed" >&2; exit 1
        fi ;;
      esac
      case "$marker" in
        switching-back)
          echo "cutover: a switchback to blue passed its point of no return and has not completed (subscription $name on $side carries its marker): run the switchback again (switchover.to=blue) first; nothing was changed" >&2; exit 1 ;;
        switched)
          if [ "$switched_ok" != switched-ok ]; then
            echo "cutover: switched to green (subscription $name on $side carries the switch's marker): dropping forward replication now would drop the way back; switch back first (switchover.to=blue), nothing was changed" >&2; exit 1
          fi
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            1) ;;
            0) echo "cutover: switched to green but blue is not fenced (lifted by hand?): run the switch again (switchover.to=green fences blue again) before cleanup; nothing was changed" >&2; exit 1 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac
          # Cleanup's point of no return, before its first drop: from here no switchback starts
          # (while-switched refuses), and the switch's Jobs read the switch as done. Blue's marker
          # first: it outlives the subscription (and this marker) that cleanup drops.
          mark_moved "$name"
          mark "$side" "$name" cleaning-up
          marker=cleaning-up
          echo "cutover: cleanup started (subscription $name on $side carries its marker): from here there is no way back to blue" ;;
        cleaning-up)
          if [ "$switched_ok" != switched-ok ]; then
            echo "cutover: cleanup started after the switch to green (subscription $name on $side carries its marker): the app belongs on green; run cleanup again to complete it, nothing was changed" >&2; exit 1
          fi
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            1) ;;
            0) echo "cutover: cleanup started after the switch but blue is not fenced (lifted by hand?): the app belongs on green; fence blue (the runbook's fence command), then run cleanup again; nothing was changed" >&2; exit 1 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac
          mark_moved "$name" ;;
        none)
          # Blue fenced without a marker: a switch stopped after its fence (killed outright, or still
          # running). Dropping the forward subscription now would leave no state any Job can resolve:
          # unless-switched would read "cleaned up", while-switched "no way back", and the app, still
          # on blue, could not write. The switch completes it, or the switchback lifts the fence.
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            0) ;;
            1) echo "cutover: blue is fenced and subscription $name on $side carries no marker: a switch stopped after its fence: run the switchover again, or set switchover.to=blue, which lifts the fence; nothing was changed" >&2; exit 1 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac ;;
        gone) ;;
        *) echo "cutover: cannot read the marker of $name on $side" >&2; exit 1 ;;
      esac
      [ "$marker" = cleaning-up ] || echo "cutover: no switch in progress (marker on $name: $marker)" ;;
    not-operator-role:*)
      # Zalando: green's manifest makes ROLE (<db>_owner) a role the operator manages; it resets that
      # role's password to its own Secret's on every sync, so an app logging in as ROLE with blue's
      # Secret could not log in to green after the switch.
      role="${arg#not-operator-role:}"
      if [ "$(app_role)" = "$role" ]; then
        echo "cutover: blue's Secret logs in as $role, the role green's operator manages (green's manifest names it the owner of the database): the operator resets its password to its own Secret's, and the app could not log in to green with blue's Secret after the switch. Use another login role for the app on blue (owning the application's schemas), or have the app use the operator's Secret for $role (its name: $role.<green cluster>.credentials.postgresql.acid.zalan.do) once on green; nothing was changed" >&2
        exit 1
      fi
      echo "cutover: the app's role $(app_role) is not the operator-managed $role" ;;
    drop-lifted-fence:*)
      drop_lifted_fence "${arg#drop-lifted-fence:}" ;;
    end-sessions:*)
      # Rounds for END_SESSIONS_SECONDS (5): the Service's new endpoints reach every node's proxy a
      # moment after the object changed, and a pool may reconnect to blue once more meanwhile.
      side="${arg#end-sessions:}"; started="$(date +%s)"; count=0
      while :; do
        count=$((count + $(end_sessions "$side" "after the switch")))
        [ $(( $(date +%s) - started )) -lt "${END_SESSIONS_SECONDS:-5}" ] || break
        sleep 1
      done
      echo "cutover: $count session(s) of $(app_role) on $side ended (opened before the Service moved: pooled, they would read $side's stale rows; they reconnect through the Service)" ;;
    mark-switched:*)
      spec="${arg#mark-switched:}"; MARKED_AT="${spec%%:*} ${spec#*:}"
      own_fence "mark-switched"
      mark_served "${spec#*:}"
      MARKING="${spec%%:*} ${spec#*:} switched"; mark "${spec%%:*}" "${spec#*:}" switched
      COMMITTED=1
      echo "cutover: switch marked complete on ${spec%%:*}" ;;
    mark-switching-back:*)
      spec="${arg#mark-switching-back:}"; MARKED_AT="${spec%%:*} ${spec#*:}"
      [ -n "$COMMITTED" ] || own_fence "mark-switching-back"
      if [ -z "$COMMITTED" ]; then
        # Read again right before the point of no return: a cleanup that started meanwhile wins.
        marker="$(marker_state "${spec%%:*}" "${spec#*:}")"
        case "$marker" in
          cleaning-up|gone) echo "cutover: mark-switching-back: the marker on ${spec#*:} reads $marker: cleanup started, there is no way back; this switchback stops before its point of no return" >&2; exit 1 ;;
        esac
      fi
      MARKING="${spec%%:*} ${spec#*:} switching-back"; mark "${spec%%:*}" "${spec#*:}" switching-back
      COMMITTED=1
      echo "cutover: switchback committed on ${spec%%:*} (its marker): from here a failure keeps both fences, a re-run completes it" ;;
    unmark-switched:*)
      spec="${arg#unmark-switched:}"; unmark_served; mark "${spec%%:*}" "${spec#*:}" none
      echo "cutover: switchback complete, marker removed on ${spec%%:*}" ;;
    while-forward:*)
      spec="${arg#while-forward:}"; side="${spec%%:*}"; name="${spec#*:}"
      marker="$(marker_state "$side" "$name")"
      case "$marker" in
        switched|switching-back|cleaning-up)
          echo "cutover: subscription $name on $side carries the marker of the switch ($marker): forward replication is the switch's until the switchback completes (its slot on blue is dropped while the app is on green), nothing to do"; exit 0 ;;
        none|gone)
          # Cleanup dropped the subscription and its marker: blue's marker says the app is on green for
          # good. Starting forward replication again would copy blue's stale rows into production.
          if [ "$(moved)" = 1 ]; then
            echo "cutover: blue carries cleanup's marker (schema $MOVED_SCHEMA: the app moved to green for good): forward replication is never started again, nothing to do"; exit 0
          fi
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            0) ;;
            1) echo "cutover: blue is fenced (subscription $name on $side: $marker): a switch stopped after its fence, or blue was retired; forward replication is not started with blue refusing the app's writes. Run the switchover again (it completes or lifts the fence), or switch back (switchover.to=blue); nothing was changed" >&2; exit 1 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac
          if [ "$marker" = none ]; then
            # The forward slot gone from blue (a failover, Patroni dropping a slot it was not told of)
            # while the subscription has copied tables: the slot step would create it again at blue's
            # current position, and every change since the old slot's last confirmed one is skipped,
            # silently (the subscriber asks for its own position; the new slot starts later).
            slot_there="$(value "$(admin_of blue)" -v "slot=$name" <<'EOF'
SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name = :'slot' AND database = current_database();
EOF
)"
            if [ "$slot_there" = 0 ]; then
              copied="$(value "$side" -v "sub=$name" <<'EOF'
SELECT count(*) FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
 WHERE s.subname = :'sub' AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
   AND r.srsubstate IN ('s', 'r');
EOF
)"
              if [ "$copied" != 0 ]; then
                echo "cutover: the forward slot $name is gone from blue (a failover, or Patroni dropped a slot not declared to it) while subscription $name on $side has copied $copied table(s): a slot created now starts at blue's current position and would skip every change blue made since the old one's last, silently. Nothing was changed. Copy again: roll back the replication (rollback.enabled=true: the rollback-replicate Job drops green's subscription and empties green's application tables), then run replicate again" >&2
                exit 1
              fi
            fi
          fi
          if [ "$marker" = gone ]; then
            # No copy of this replication in progress: green must hold no data (its own copy is the
            # subscription's, which exists from its first run on).
            tables_with_rows "$side" > /tmp/green-rows
            if [ -s /tmp/green-rows ]; then
              echo "cutover: $side already holds data ($(head -n 5 /tmp/green-rows | paste -sd' ' -)) and has no subscription $name: it is no copy of blue in progress (production after a switch, or an earlier copy). Forward replication copies every table from blue and would loop on duplicate keys; nothing was changed. If $side is a stale copy that never served, roll back replication (rollback.enabled=true: the rollback-replicate Job empties green's application tables, refusing under cleanup's marker or with blue fenced) and run this again" >&2
              exit 1
            fi
          fi ;;
        *) echo "cutover: cannot read the marker of $name on $side" >&2; exit 1 ;;
      esac ;;
    if-switched:*)
      spec="${arg#if-switched:}"
      marker="$(marker_state "${spec%%:*}" "${spec#*:}")"
      case "$marker" in
        switched)
          # The switchover Job disables forward replication after its mark, before the Service moves:
          # still enabled, that Job stopped before completing the way back (and the app is on blue).
          # Enabling the way back now would send each side's rows back to it.
          forward="$(subscription_state "${spec%%:*}" "${spec#*:}")"
          if [ "$forward" = enabled ]; then
            echo "cutover: the switch is marked but subscription ${spec#*:} on ${spec%%:*} still runs: the switchover Job stopped before completing the way back; run the switchover again (it completes it), then this Job; nothing was changed" >&2
            exit 1
          fi ;;
        gone|cleaning-up|none)
          if [ "$(moved)" = 1 ]; then echo "cutover: switched over and cleaned up: nothing to do (blue carries cleanup's marker)"; exit 0; fi
          if [ "$marker" = none ]; then
            echo "cutover: the switchover Job has not completed (no marker on subscription ${spec#*:} on ${spec%%:*}): its fence and catch-up must be done before the way back is set up" >&2
            exit 1
          fi
          # Cleanup dropped the forward subscription (the marker with it) and blue stays fenced: every
          # later `helm upgrade --reuse-values` (switchover.to=green still set) runs this Job again, and
          # must change nothing, as unless-switched does.
          blue_fenced="$(fenced blue)"
          case "$blue_fenced" in
            1) echo "cutover: switched over and cleaned up: nothing to do"; exit 0 ;;
            0) echo "cutover: the switchover Job has not completed (subscription ${spec#*:} on ${spec%%:*}: $marker, blue not fenced): its fence and catch-up must be done before the way back is set up" >&2; exit 1 ;;
            *) echo "cutover: cannot tell whether blue is fenced" >&2; exit 1 ;;
          esac ;;
        switching-back)
          echo "cutover: the switchover Job has not completed (no marker on subscription ${spec#*:} on ${spec%%:*}): its fence and catch-up must be done before the way back is set up" >&2
          exit 1 ;;
        *) echo "cutover: cannot read the marker of ${spec#*:} on ${spec%%:*}" >&2; exit 1 ;;
      esac ;;
    fence:*:*)
      spec="${arg#fence:}"; fence "${spec%%:*}" on "${spec#*:}" ;;
    fence:*)
      fence "${arg#fence:}" on ;;
    unfence:*)
      fence "${arg#unfence:}" off ;;
    sync-sequences:*)
      pair="${arg#sync-sequences:}"; from="${pair%%:*}"; to="${pair#*:}"
      # Never lower than either side: a sequence only moves forward. Read as the side's admin: pg_sequences
      # shows last_value NULL for a sequence the reading role may not use, and it would be skipped.
      value "$(admin_of "$from")" -c "SELECT format('SELECT pg_catalog.setval(%L, GREATEST(%s, (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s)), true);',
        quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, quote_ident(schemaname) || '.' || quote_ident(sequencename))
        FROM pg_catalog.pg_sequences WHERE last_value IS NOT NULL" > /tmp/sequences.sql
      # Set as TO's admin too: the app's role may not own (nor setval) a sequence another role made, and
      # this step runs with a side fenced (switching back, past the point of no return).
      on "$(admin_of "$to")" -At -f /tmp/sequences.sql > /dev/null
      echo "cutover: $(wc -l < /tmp/sequences.sql) sequences on $to at least as far as on $from" ;;
    quarantine-column:*)
      set -f; IFS=:; set -- ${arg#quarantine-column:}; unset IFS; set +f
      quarantine_column "$1" "$2" "$3" "$4" ;;
    forget-flyway:*)
      v="${arg#forget-flyway:}"
      on "$DEFAULT_SIDE" -c "DO \$\$ BEGIN IF to_regclass('flyway_schema_history') IS NOT NULL THEN
        DELETE FROM flyway_schema_history WHERE version IS NOT NULL AND version::numeric >= $v; END IF; END \$\$" ;;
    one-transaction:*)
      # A `sql` change with transactional: true: the whole file commits or nothing of it (flyway and
      # liquibase wrap such a file themselves, so the shared file holds no BEGIN of its own).
      echo "cutover: applying ${arg#one-transaction:}"
      apply "$DEFAULT_SIDE" "$SQL/${arg#one-transaction:}" --single-transaction ;;
    *:*)
      echo "cutover: applying ${arg#*:} on ${arg%%:*}"
      apply "${arg%%:*}" "$SQL/${arg#*:}" ;;
    *)
      echo "cutover: applying $arg"
      apply "$DEFAULT_SIDE" "$SQL/$arg" ;;
  esac
done
