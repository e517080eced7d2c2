#!/bin/sh
# Runs log_append_bench next to a dd baseline on the same filesystem and prints each
# writer count's MB/s with its percentage of dd's. Builds nothing.
#
#   bench/log_append/run.sh BUILD/bench/log_append/log_append_bench [MB_PER_RUN] [BASE_DIR]
#
# MB_PER_RUN (default 2048, the size dd writes) is the record data per writer count.
# BASE_DIR (default: mktemp's choice, i.e. $TMPDIR or the system temp dir) is where a
# temporary directory is made and removed; the dd file and the logs both go there, so they share one filesystem.
set -eu
bin=${1:?usage: run.sh LOG_APPEND_BENCH_BINARY [MB_PER_RUN] [BASE_DIR]}
mb=${2:-2048}
base=${3:-}
if [ -n "$base" ]; then work=$(mktemp -d "$base/log_append.XXXXXX"); else work=$(mktemp -d -t log_append.XXXXXX); fi
trap 'rm -rf "$work"' EXIT INT TERM

# dd's own summary line is "N bytes (...) copied, S s, R MB/s"; recompute MB/s from
# bytes and seconds so units (MB/s vs GB/s) never matter.
dd_line=$(dd if=/dev/zero of="$work/dd.bin" bs=1M count=2048 conv=fdatasync 2>&1 | tail -n 1)
rm -f "$work/dd.bin"
dd_mbs=$(echo "$dd_line" | awk '{ for (i = 1; i <= NF; i++) if ($i == "copied,") { printf "%.1f", $1 / $(i + 1) / 1e6 } }')
echo "dd (2 GiB, conv=fdatasync): $dd_mbs MB/s   [$dd_line]"

"$bin" --dir "$work" --mb-per-run "$mb" | while read -r line; do
  echo "$line" | awk -v dd="$dd_mbs" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "writers=%-3s %8.1f MB/s  %9.0f records/s  %6.1f%% of dd  (%s fdatasyncs for %s records)\n",
           v["writers"], v["MB/s"], v["records/s"], 100 * v["MB/s"] / dd, v["fdatasyncs"], v["records"]
  }'
done
