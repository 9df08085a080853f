#!/bin/sh
# cutover checksum (psql): for TABLE:KEY:int|any, the row count and an md5 over the md5 of each
# row's canonical text, aggregated in primary-key order, per key range of CHECKSUM_RANGE keys
# (int: by key value; any: by position in key order). With one side (/etc/cutover/db) it prints the
# fingerprint. With blue and green it compares them up to the highest key read from blue first,
# retrying while replication catches up, and names the ranges that differ.
# Blue-green's switch splits it around the fence (CHECKSUM_STAGE), so the write pause holds no full scan:
#   live     before the fence, blue still taking writes: every range compared; a range that still
#            differs after the retries (the app writes there now) is noted in /tmp, not a failure
#   fenced   both sides at rest, green caught up: only the noted ranges and those above the highest
#            key of the live pass (int), compared exactly, and each side's highest key (by position:
#            row count and highest key)
set -eu
# After the Job's own PGOPTIONS (database.schemaName's search_path): the tables are named bare.
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3"
PGOPTIONS="$PGOPTIONS -c statement_timeout=${STATEMENT_TIMEOUT:-15min}"  # the spec's, set by the Job
RANGE="${CHECKSUM_RANGE:-10000}"
ATTEMPTS="${CHECKSUM_ATTEMPTS:-5}"
STAGE="${CHECKSUM_STAGE:-}"
# The side taking the app's writes before the fence: blue in the switch, green in the switchback.
LIVE="${CHECKSUM_LIVE_SIDE:-blue}"
q() { # q SIDE SQL
  host="$DB_HOST"
  [ "$1" = green ] && host="$GREEN_HOST"
  [ "$1" = blue ] && host="${BLUE_HOST:-$DB_HOST}"
  PGUSER="$(cat "/etc/cutover/$1/username")" PGPASSWORD="$(cat "/etc/cutover/$1/password")" \
    psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -h "$host" -p "$DB_PORT" -d "$DB_NAME" -c "$2"
}
ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
spec="$1"
table="${spec%%:*}"; rest="${spec#*:}"; key="${rest%%:*}"; mode="${rest#*:}"
t="$(ident "$table")"; k="$(ident "$key")"
if [ "$mode" = int ]; then bucket="$k / $RANGE"; else bucket="(row_number() OVER (ORDER BY $k) - 1) / $RANGE"; fi
# The file of ranges the live pass left to the fenced one (a table's name may hold anything).
pending="/tmp/checksum-pending.$(printf '%s' "$table" | md5sum | cut -c1-16)"
ranges() { # ranges [KEY-CONDITION [RANGE-CONDITION]]: the key condition narrows the scan (int keys)
  where=""; outer=""
  [ -n "${1:-}" ] && where="WHERE $1"
  [ -n "${2:-}" ] && outer="WHERE $2"
  echo "SELECT b, count(*), md5(string_agg(md5(r::text), '' ORDER BY k)) FROM" \
    "(SELECT $bucket AS b, $k AS k, r FROM $t r $where) s $outer GROUP BY b ORDER BY b"
}
if [ ! -d /etc/cutover/green ]; then
  echo "cutover checksum $table (range, rows, md5) in $key order:"
  q db "$(ranges)"
  exit 0
fi
high=""
if [ "$STAGE" = fenced ]; then
  # Both sides at rest and caught up: the highest key (an index's end: a probe), then exactly the
  # ranges the live pass could not settle and everything above its highest key. No whole-table
  # count(*) for int keys: a scan of every row on each side in the write pause (5M rows: 0.3-0.6 s
  # a side, cached; linear beyond), where every range was compared live and what changed since came
  # through replication, whose catch-up (the LSN wait) and apply errors the switch checks. By
  # position (any), the buckets are row numbers: the count stays (the range query scans it all anyway).
  if [ "$mode" = int ]; then totals="max($k)"; else totals="count(*), max($k)"; fi
  q blue "SELECT $totals FROM $t" > /tmp/checksum.blue
  q green "SELECT $totals FROM $t" > /tmp/checksum.green
  cp /tmp/checksum.blue /tmp/checksum.totals
  if ! cmp -s /tmp/checksum.blue /tmp/checksum.green; then
    echo "cutover checksum $table: ranges differ with $LIVE fenced: highest key (by position: rows and highest key) $(cat /tmp/checksum.blue) on blue, $(cat /tmp/checksum.green) on green" >&2
    exit 1
  fi
  [ -f "$pending" ] || { echo "cutover checksum $table: no live pass in this Job (run with CHECKSUM_STAGE=live first)" >&2; exit 1; }
  list="$(sed -n '2,$p' "$pending" | paste -sd, -)"
  above="$(sed -n 1p "$pending")"
  if [ "$mode" = int ]; then
    cond="$k > $above"
    for b in $(sed -n '2,$p' "$pending"); do cond="$cond OR ($k >= $b * $RANGE AND $k < ($b + 1) * $RANGE)"; done
    query="$(ranges "$cond")"
  else
    query="$(ranges "" "b >= $above / $RANGE${list:+ OR b IN ($list)}")"
  fi
  q blue "$query" > /tmp/checksum.blue
  q green "$query" > /tmp/checksum.green
  if cmp -s /tmp/checksum.blue /tmp/checksum.green; then
    echo "cutover checksum $table: the same highest key on both sides ($totals: $(cat /tmp/checksum.totals)); $(wc -l < /tmp/checksum.blue) range(s) still changing before the fence or above the live pass equal now"
    exit 0
  fi
  diff /tmp/checksum.blue /tmp/checksum.green || true
  echo "cutover checksum $table: ranges differ with $LIVE fenced (above: range rows md5; < blue, > green)" >&2
  exit 1
fi
if [ "$mode" = int ]; then high="$(q blue "SELECT coalesce(max($k), 0) FROM $t")"; else high="$(q blue "SELECT count(*) FROM $t")"; fi
n=1
cond=""
[ "$mode" = int ] && cond="$k <= $high"
q blue "$(ranges "$cond")" > /tmp/checksum.blue
q green "$(ranges "$cond")" > /tmp/checksum.green
while :; do
  if cmp -s /tmp/checksum.blue /tmp/checksum.green; then
    echo "cutover checksum $table: $(wc -l < /tmp/checksum.blue) ranges equal${cond:+ up to $key=$high}"
    [ "$STAGE" != live ] || echo "$high" > "$pending"
    exit 0
  fi
  # The ranges that differ, compared again (only they) once replication had a moment.
  for f in blue green; do LC_ALL=C sort "/tmp/checksum.$f" > "/tmp/checksum.$f.sorted"; done
  differ="$(LC_ALL=C comm -3 /tmp/checksum.blue.sorted /tmp/checksum.green.sorted | tr -d '\t' | cut -d' ' -f1 | sort -un | paste -sd, -)"
  if [ "$n" -ge "$ATTEMPTS" ]; then
    if [ "$STAGE" = live ]; then
      # Blue is taking writes there: the fenced pass compares them exactly, with both sides at rest.
      { echo "$high"; printf '%s\n' "$differ" | tr ',' '\n'; } > "$pending"
      echo "cutover checksum $table: every other range equal; range(s) $differ still changing on $LIVE, compared again with $LIVE fenced"
      exit 0
    fi
    diff /tmp/checksum.blue /tmp/checksum.green || true
    echo "cutover checksum $table: ranges differ (above: range rows md5; < blue, > green)" >&2
    exit 1
  fi
  n=$((n + 1))
  if [ "$STAGE" = live ]; then sleep 1; else sleep 15; fi
  if [ "$mode" = int ]; then
    cond2="false"
    for b in $(printf '%s' "$differ" | tr ',' ' '); do cond2="$cond2 OR ($k >= $b * $RANGE AND $k < ($b + 1) * $RANGE)"; done
    query="$(ranges "$k <= $high AND ($cond2)")"
  else
    query="$(ranges "" "b IN ($differ)")"
  fi
  q blue "$query" > /tmp/checksum.blue
  q green "$query" > /tmp/checksum.green
done
