#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite against a throwaway Redis (installed if missing).
#   ./scripts/bench.sh            full run (for humans; takes a while)
#   ./scripts/bench.sh --quick    short jobs on a representative subset
# Any other arguments go to BenchmarkDotNet (e.g. --filter '*Room*').
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
svc_init
svc_start_redis
dotnet run --project benchmarks/ZnDraw.Storage.Benchmarks -c Release -- "$@"
