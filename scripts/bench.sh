#!/usr/bin/env bash
# Runs the benchmarks against throwaway servers (installed if missing), like scripts/test.sh:
# one Redis (ZNDRAW_REDIS), for the history drain one PostgreSQL (ZNDRAW_POSTGRES), and two Redis Clusters of
# 3 primaries + 3 replicas: ZNDRAW_REDIS_CLUSTER for the twins on the cluster, the throughput on 3 primaries and the
# cost of the WAIT option; ZNDRAW_REDIS_CLUSTER_FAILOVER, a dedicated one with a short node timeout, whose primary
# the failover scenario SIGKILLs (only a server this script started).
#   ./scripts/bench.sh              full run (for humans; about 35 minutes on 2 cores)
#   ./scripts/bench.sh --quick      CI run: short jobs on the core set, the paired comparison of every twin, all scenarios
#   ./scripts/bench.sh --quick --paired-only --paired-filter Chat,Lock    only the paired comparison of *Chat* and *Lock* classes
#   ./scripts/bench.sh --quick --filter '*Room*'    BenchmarkDotNet filter (skips the scenarios)
#   --no-postgres      skip PostgreSQL (the drain is then measured on SQLite only)
#   --no-cluster       skip both clusters (the cluster twins and scenarios are then skipped)
#   --out DIR          where summary.md/summary.json go (default benchmarks/results/<mode>)
# Exits 0 when the benchmarks ran, whatever the targets say; non-zero on errors only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
svc_init

args=()
postgres=1
cluster=1
for a in "$@"; do
  case $a in
    --no-postgres) postgres=0 ;;
    --no-cluster) cluster=0 ;;
    *) args+=("$a") ;;
  esac
done

svc_start_redis
if (( postgres )); then svc_start_postgres; fi
if (( cluster )); then
  cluster_started=$(date +%s)
  # The failover cluster first (svc_start_cluster exports ZNDRAW_REDIS_CLUSTER; the second call sets it again):
  # node timeout 1 s, so that its replica takes over within about 2-3 s of the kill.
  svc_start_cluster
  ZNDRAW_REDIS_CLUSTER_FAILOVER=$ZNDRAW_REDIS_CLUSTER
  export ZNDRAW_REDIS_CLUSTER_FAILOVER
  for node in ${ZNDRAW_REDIS_CLUSTER_FAILOVER//,/ }; do
    redis-cli -h "${node%:*}" -p "${node##*:}" config set cluster-node-timeout 1000 >/dev/null
  done
  svc_start_cluster
  svc_log "both clusters ready in $(( $(date +%s) - cluster_started )) s"
fi

config=${CONFIGURATION:-Release}
# The dependency set (Directory.Packages.props): scripts/test.sh exports latest, which its main build used, so the
# benchmarks reuse that build; round trips are counted by StackExchange.Redis's profiler, which sees batched commands
# from 3.x on only. Default here: latest as well.
deps=${ZNDRAW_DEPENDENCIES:-latest}
dotnet build benchmarks/ZnDraw.Storage.Benchmarks -c "$config" -p:ZnDrawDependencies="$deps" -warnaserror -nologo -v quiet
dotnet run --project benchmarks/ZnDraw.Storage.Benchmarks -c "$config" -p:ZnDrawDependencies="$deps" --no-build -- "${args[@]}"
