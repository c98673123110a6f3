#!/usr/bin/env bash
# Runs the benchmarks against throwaway servers (installed if missing), like scripts/test.sh:
# one Redis (ZNDRAW_REDIS) and, for the history drain, one PostgreSQL (ZNDRAW_POSTGRES).
#   ./scripts/bench.sh              full run (for humans; about 35 minutes on 2 cores)
#   ./scripts/bench.sh --quick      CI run: short jobs on the core set, the paired comparison of every twin, all scenarios
#   ./scripts/bench.sh --quick --paired-only --paired-filter Chat    only the paired comparison of *Chat* classes
#   ./scripts/bench.sh --quick --filter '*Room*'    BenchmarkDotNet filter (skips the scenarios)
#   --no-postgres      skip PostgreSQL (the drain is then measured on SQLite only)
#   --out DIR          where summary.md/summary.json go (default benchmarks/results/<mode>)
# Exits 0 when the benchmarks ran, whatever the targets say; non-zero on errors only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
svc_init

args=()
postgres=1
for a in "$@"; do
  if [[ $a == --no-postgres ]]; then postgres=0; else args+=("$a"); fi
done

svc_start_redis
if (( postgres )); then svc_start_postgres; fi

config=${CONFIGURATION:-Release}
# The dependency set (Directory.Packages.props): scripts/test.sh exports latest, which its main build used, so the
# benchmarks reuse that build; round trips are counted by StackExchange.Redis's profiler, which sees batched commands
# from 3.x on only. Default here: latest as well.
deps=${ZNDRAW_DEPENDENCIES:-latest}
dotnet build benchmarks/ZnDraw.Storage.Benchmarks -c "$config" -p:ZnDrawDependencies="$deps" -warnaserror -nologo -v quiet
dotnet run --project benchmarks/ZnDraw.Storage.Benchmarks -c "$config" -p:ZnDrawDependencies="$deps" --no-build -- "${args[@]}"
