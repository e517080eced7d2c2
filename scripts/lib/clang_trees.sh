# Sourced by scripts/sanitize and scripts/fuzz: configures the clang 16 trees.
#   build-asan: AddressSanitizer + UBSan, and libFuzzer's coverage instrumentation
#               (SLUICE_FUZZ): the unit tests (scripts/sanitize asan) and the fuzz
#               targets (scripts/fuzz) share one build of the libraries.
#   build-tsan: ThreadSanitizer.
# Neither builds the benchmarks. Re-running cmake on an existing tree keeps it (a tree
# configured otherwise before is brought to these options and rebuilt once).

# configure_clang_tree KIND CXX: asan or tsan; sets clang_tree to the directory.
configure_clang_tree() {
  local kind="$1" cxx="$2" extra=()
  case "$kind" in
    asan) extra=(-DSLUICE_SANITIZE=address,undefined -DSLUICE_FUZZ=ON) ;;
    tsan) extra=(-DSLUICE_SANITIZE=thread -DSLUICE_FUZZ=OFF) ;;
    *) echo "unknown clang tree '$kind' (asan, tsan)" >&2; return 2 ;;
  esac
  clang_tree="build-$kind"
  cmake -S . -B "$clang_tree" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_COMPILER="$cxx" \
    -DSLUICE_BENCH=OFF "${extra[@]}" >/dev/null
}
