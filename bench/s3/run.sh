#!/usr/bin/env bash
# S3 throughput: sluice vs s3rver (npm peer) and the dd fdatasync baseline, in one run.
# Usage: bench/s3/run.sh   (after scripts/build and scripts/setup). Runs on demand only.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/s3/bench.py
