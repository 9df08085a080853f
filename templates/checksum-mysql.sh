#!/bin/sh
# cutover checksum (mysql): for TABLE:KEY:int|any, the row count and an MD5 over the MD5 of each
# row's canonical text (QUOTE() of every column in column order, so NULL differs from 'NULL'), aggregated in primary-key order,
# per key range of CHECKSUM_RANGE keys. One side prints the fingerprint; blue and green are compared
# up to the highest key read from blue first, retrying while replication catches up.
set -eu
umask 077
RANGE="${CHECKSUM_RANGE:-10000}"
ATTEMPTS="${CHECKSUM_ATTEMPTS:-5}"
options() {
  host="$DB_HOST"
  [ "$1" = green ] && host="$GREEN_HOST"
  [ "$1" = blue ] && host="${BLUE_HOST:-$DB_HOST}"
  file="/tmp/checksum-$1.cnf"
  printf '[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\ndatabase=%s\n' "$(cat "/etc/cutover/$1/username")" \
    "$(cat "/etc/cutover/$1/password")" "$host" "$DB_PORT" "$DB_NAME" > "$file"
  echo "$file"
}
# The spec's statement timeout (STATEMENT_TIMEOUT, set by the Job in ms), in the server's own
# variable: MySQL 8's max_execution_time ends these read-only SELECTs; MariaDB has max_statement_time.
ms="${STATEMENT_TIMEOUT:-900000ms}"; ms="${ms%ms}"
case "$ms" in ''|*[!0-9]*) ms=900000 ;; esac
mariadb_timeout="SET SESSION max_statement_time = $((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
timeout_sql="SET @cutover_timeout = IF(VERSION() LIKE '%MariaDB%', '$mariadb_timeout', 'SET SESSION max_execution_time = $ms');
PREPARE cutover_timeout FROM @cutover_timeout; EXECUTE cutover_timeout; DEALLOCATE PREPARE cutover_timeout;"
q() {
  mysql --defaults-extra-file="$(options "$1")" --batch -N \
    -e "SET SESSION group_concat_max_len = 4294967295, time_zone = '+00:00'; $timeout_sql $2"
}
spec="$1"
table="${spec%%:*}"; rest="${spec#*:}"; key="${rest%%:*}"; mode="${rest#*:}"
side=db
[ -d /etc/cutover/green ] && side=blue
t="\`$(printf '%s' "$table" | sed 's/`/``/g')\`"; k="\`$(printf '%s' "$key" | sed 's/`/``/g')\`"
name="$(printf '%s' "$table" | sed "s/'/''/g")"
cols="$(q "$side" "SELECT GROUP_CONCAT(CONCAT('QUOTE(\`', REPLACE(column_name, '\`', '\`\`'), '\`)') \
  ORDER BY ordinal_position SEPARATOR ', ') FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '$name'")"
if [ "$mode" = int ]; then bucket="FLOOR($k / $RANGE)"; else bucket="FLOOR((ROW_NUMBER() OVER (ORDER BY $k) - 1) / $RANGE)"; fi
ranges() {
  where=""
  [ -n "${1:-}" ] && where="WHERE $k <= $1"
  echo "SELECT b, COUNT(*), MD5(GROUP_CONCAT(h ORDER BY k SEPARATOR '')) FROM" \
    "(SELECT $bucket AS b, $k AS k, MD5(CONCAT_WS('|', $cols)) AS h FROM $t $where) s GROUP BY b ORDER BY b"
}
if [ "$side" = db ]; then
  echo "cutover checksum $table (range, rows, md5) in $key order:"
  q db "$(ranges)"
  exit 0
fi
high=""
[ "$mode" = int ] && high="$(q blue "SELECT COALESCE(MAX($k), 0) FROM $t")"
n=1
while :; do
  q blue "$(ranges "$high")" > /tmp/checksum.blue
  q green "$(ranges "$high")" > /tmp/checksum.green
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
