#!/bin/sh
# cutover checksum (psql): for TABLE:KEY:int|any, the row count and an md5 over the md5 of each
# row's canonical text, aggregated in primary-key order, per key range of CHECKSUM_RANGE keys
# (int: by key value; any: by position in key order). With one side (/etc/cutover/db) it prints the
# fingerprint. With blue and green it compares them up to the highest key read from blue first,
# retrying while replication catches up, and names the ranges that differ.
set -eu
export PGOPTIONS="-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3"
PGOPTIONS="$PGOPTIONS -c statement_timeout=${STATEMENT_TIMEOUT:-15min}"  # the spec's, set by the Job
RANGE="${CHECKSUM_RANGE:-10000}"
ATTEMPTS="${CHECKSUM_ATTEMPTS:-5}"
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
ranges() { # ranges [HIGH]
  where=""
  [ -n "${1:-}" ] && where="WHERE $k <= $1"
  echo "SELECT b, count(*), md5(string_agg(h, '' ORDER BY k)) FROM" \
    "(SELECT $bucket AS b, $k AS k, md5(r::text) AS h FROM $t r $where) s GROUP BY b ORDER BY b"
}
if [ ! -d /etc/cutover/green ]; then
  echo "cutover checksum $table (range, rows, md5) in $key order:"
  q db "$(ranges)"
  exit 0
fi
high=""
[ "$mode" = int ] && high="$(q blue "SELECT coalesce(max($k), 0) FROM $t")"
n=1
while :; do
  q blue "$(ranges "$high")" > "/tmp/checksum.blue"
  q green "$(ranges "$high")" > "/tmp/checksum.green"
  if cmp -s /tmp/checksum.blue /tmp/checksum.green; then
    echo "cutover checksum $table: $(wc -l < /tmp/checksum.blue) ranges equal${high:+ up to $key=$high}"
    exit 0
  fi
  if [ "$n" -ge "$ATTEMPTS" ]; then
    echo "cutover checksum $table: ranges differ (range rows md5; < blue, > green):"
    diff /tmp/checksum.blue /tmp/checksum.green || true
    exit 1
  fi
  n=$((n + 1)); sleep 15
done
