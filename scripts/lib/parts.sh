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

# Sets sluice_cpu to the CPU seconds (user + system) used so far by this shell's
# finished children. Never call it inside $(...) or a pipe: a subshell has no children.
children_cpu() {
  times >"${SLUICE_PARTS_FILE}.times"
  sluice_cpu="$(awk 'NR == 2 {
    n = 0
    for (i = 1; i <= 2; ++i) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] }
    printf "%d", n
  }' "${SLUICE_PARTS_FILE}.times")"
}

# part NAME COMMAND...: runs COMMAND (a program, not a shell function: set -e does not
# apply inside a function called from a condition) and records its wall time, its CPU
# time (which other work on the machine does not inflate) and its outcome.
part() {
  local name="$1" start=$SECONDS outcome=ok cpu_start
  shift
  children_cpu
  cpu_start=$sluice_cpu
  echo "==> ${name}"
  if ! "$@"; then outcome=FAILED; fi
  children_cpu
  local took=$((SECONDS - start)) cpu=$((sluice_cpu - cpu_start))
  printf '  %-26s %6d s  (cpu %5d s)  %s\n' "$name" "$took" "$cpu" "$outcome" >>"$SLUICE_PARTS_FILE"
  echo "<== ${name}: ${took} s (cpu ${cpu} s), ${outcome}"
  [ "$outcome" = ok ]
}

# Called once at the end by the outermost script: the summary of every part.
parts_summary() {
  if [ "$sluice_parts_owner" = 1 ]; then
    echo "time of each part (wall, and CPU seconds on all cores):"
    cat "$SLUICE_PARTS_FILE"
    printf '  %-26s %6d s\n' total $((SECONDS - sluice_parts_start))
    rm -f "$SLUICE_PARTS_FILE" "${SLUICE_PARTS_FILE}.times"
  fi
}

# ccache hits across clones and worktrees (CI builds a fresh clone): paths under the
# checkout are hashed relative to it, and the build directory is left out of the hash
# (the debug info of a hit may then name another checkout's build directory).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
