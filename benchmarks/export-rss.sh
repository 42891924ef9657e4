#!/usr/bin/env bash
# The export's memory and rate (issue 21): fills a temporary SQLite store with 1,000,000 orders through the service's
# writer, starts the standalone host (Release) on it, downloads GET /API/orders/export as CSV and as NDJSON while
# sampling the host's RSS every 50 ms, and prints rows/s, MiB/s and RSS before, at peak and after.
# Extra arguments go to ReadBench (--orders N for a smaller store).
set -euo pipefail
cd "$(dirname "$0")/.."
exec benchmarks/read/run.sh --export-rss "$@"
