# Sourced by scripts/test and scripts/sanitize: runs the parts of a test run, times each,
# and prints one summary at the end. A failed part is recorded and the run goes on, so
# one CI run reports every failure; the caller exits non-zero if any part failed.
# Nested scripts append to the same summary through SLUICE_PARTS_FILE.

if [ -z "${SLUICE_PARTS_FILE:-}" ]; then
  SLUICE_PARTS_FILE="$(mktemp)"
  export SLUICE_PARTS_FILE
  sluice_parts_owner=1
else
  sluice_parts_owner=0
fi
sluice_parts_start=$SECONDS

# part NAME COMMAND...: runs COMMAND (a program, not a shell function: set -e does not
# apply inside a function called from a condition) and records its time and outcome.
part() {
  local name="$1" start=$SECONDS outcome=ok
  shift
  echo "==> ${name}"
  if ! "$@"; then outcome=FAILED; fi
  local took=$((SECONDS - start))
  printf '  %-26s %6d s  %s\n' "$name" "$took" "$outcome" >>"$SLUICE_PARTS_FILE"
  echo "<== ${name}: ${took} s, ${outcome}"
  [ "$outcome" = ok ]
}

# Called once at the end by the outermost script: the summary of every part.
parts_summary() {
  if [ "$sluice_parts_owner" = 1 ]; then
    echo "time of each part:"
    cat "$SLUICE_PARTS_FILE"
    printf '  %-26s %6d s\n' total $((SECONDS - sluice_parts_start))
    rm -f "$SLUICE_PARTS_FILE"
  fi
}

# ccache hits across clones and worktrees (CI builds a fresh clone): paths under the
# checkout are hashed relative to it, and the build directory is left out of the hash
# (the debug info of a hit may then name another checkout's build directory).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
