# Exit code 65 (REFUSED): the database refused, changing nothing, in a way every run repeats until a
# person acts: a preflight that found problems (`cutover preflight: N problem(s)`), a rollback cutover
# refuses (`cutover rollback refused: …`). The Jobs' podFailurePolicy fails the Job at once on 65
# instead of retrying it backoffLimit times; any other failure keeps the tool's status and is
# retried. Told from the tool's error line (`Message    : …`, `ERROR: …`), never from a failed
# statement it echoes back (which holds the message as a quoted literal).
REFUSED=65
REFUSAL='(ERROR:? +|ERROR [0-9]+ \([0-9A-Z]{5}\)( at line [0-9]+)?: |Message +: +|Exception: +|Liquibase: +)cutover (rollback refused|preflight: [0-9]+ problem)'
refusable() { # COMMAND...: run it with its output (both streams) passed through and kept; a refusal exits 65
  rm -f /tmp/cutover-tool-output /tmp/cutover-tool-status
  { if "$@" 2>&1; then tool=0; else tool=$?; fi; echo "$tool" > /tmp/cutover-tool-status; } | tee /tmp/cutover-tool-output
  tool="$(cat /tmp/cutover-tool-status 2>/dev/null || :)"
  [ "$tool" != 0 ] || return 0
  if grep -Eq "$REFUSAL" /tmp/cutover-tool-output; then
    echo "cutover: refused (exit code $REFUSED): the Job fails at once, as every retry would be refused the same way; the message above says what to change" >&2
    exit "$REFUSED"
  fi
  exit "${tool:-1}"
}
