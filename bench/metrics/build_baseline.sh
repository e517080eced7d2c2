# Sourced by the metrics benchmarks: build_baseline REPO DIR configures DIR (once) as a
# build with metrics compiled out of the hot path and builds its `sluice`.
build_baseline() {
  local repo=$1 dir=$2
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$repo" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${SLUICE_BUILD_TYPE:-RelWithDebInfo}" \
      -DSLUICE_BENCH_METRICS_COMPILED_OUT=ON >/dev/null
  fi
  cmake --build "$dir" --target sluice >/dev/null
}
