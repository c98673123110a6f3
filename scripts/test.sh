#!/usr/bin/env bash
# Runs the whole test suite: installs and starts throwaway servers, builds with warnings as
# errors, runs every test project with code coverage, stops the servers, and ends with the line
# "line coverage: NN.N%, branch coverage: NN.N%" and then the closing line "N passed, N failed, N skipped".
# Two dependency sets (Directory.Packages.props): the main pass (build, every test project with coverage,
# benchmarks) runs on the LATEST served versions (-p:ZnDrawDependencies=latest); a second pass builds and runs the
# library test projects again on the FLOORS, the versions the packages declare (the default set), without coverage,
# in a separate artifacts folder. Its results count in the closing line, as do the package and native AOT tests
# (both build the packages as packed: on the floors).
set -euo pipefail
cd "$(dirname "$0")/.."

# Line coverage of src/ (merged over the test projects) below this floor, in whole percent, fails the
# run as one failed check. Raise it as coverage grows, to just below the figure measured; the target is
# 90. What is measured and left out: tests/coverlet.runsettings and docs/coverage.md.
coverage_floor=94
source scripts/services.sh
svc_init

svc_start_redis
svc_start_redis_notify
svc_start_cluster
svc_start_postgres
svc_start_redis_tls
svc_start_postgres_tls

config=${CONFIGURATION:-Release}
export ZNDRAW_DEPENDENCIES=latest # the main pass; scripts/bench.sh reads it too
dotnet build ZnDraw.Storage.sln -c "$config" -p:ZnDrawDependencies=latest -warnaserror -nologo -v quiet
dotnet tool restore -v quiet >/dev/null # ReportGenerator, a local tool in .config/dotnet-tools.json

results=$(mktemp -d "${TMPDIR:-/tmp}/zndraw-storage-tests.XXXXXX")
status=0
dotnet test ZnDraw.Storage.sln -c "$config" -p:ZnDrawDependencies=latest --no-build --nologo \
  --settings tests/coverlet.runsettings --collect "XPlat Code Coverage" \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# One Cobertura report per test project (in a folder of its own; the copies under */In/ are the same
# files again), merged by ReportGenerator. Counted as one test in the closing line: it fails below the floor.
shopt -s nullglob
coverage_reports=("$results"/*/coverage.cobertura.xml)
coverage_status=1
coverage_line="line coverage: unavailable (no coverage report), branch coverage: unavailable"
if (( ${#coverage_reports[@]} > 0 )) &&
  dotnet tool run reportgenerator "-reports:$(IFS=';'; echo "${coverage_reports[*]}")" \
    "-targetdir:$results/coverage" -reporttypes:TextSummary -verbosity:Warning; then
  line_rate=$(sed -n 's/^ *Line coverage: \([0-9.]*\)%.*/\1/p' "$results/coverage/Summary.txt")
  branch_rate=$(sed -n 's/^ *Branch coverage: \([0-9.]*\)%.*/\1/p' "$results/coverage/Summary.txt")
  if [[ -n $line_rate && -n $branch_rate ]]; then # ReportGenerator writes 95% for 95.0%
    coverage_line=$(LC_ALL=C printf 'line coverage: %.1f%%, branch coverage: %.1f%%' "$line_rate" "$branch_rate")
    if awk -v rate="$line_rate" -v floor="$coverage_floor" 'BEGIN { exit !(rate + 0 >= floor + 0) }'; then
      coverage_status=0
    fi
  fi
fi

# Second pass: the library test projects on the floors, the lowest versions the packages declare (Microsoft.Extensions.*
# and EF Core 10.0.0, Npgsql 10.0.0, StackExchange.Redis 2.13.x). Built into a private artifacts folder, so the main
# build's bin/ and obj/ (restored with the latest versions) are neither used nor touched. Its trx files count in the
# closing line; a build failure counts as one failed test. Left out here (they run in the main pass):
# - tests that count round trips of batched commands: StackExchange.Redis 2.x's profiler does not see a batch;
# - the notification test that expects "CONFIG refused without admin mode": 2.x sends a raw CONFIG regardless;
# - for time (CI budget), the longest fault and measurement tests, which test the library's own recovery rather than
#   a dependency's API: the cross-store crash tests (kill a worker mid-write, about 150 s), the outbox fault tests (a
#   private PostgreSQL stopped for 30 s, a Redis with AOF killed; about 50 s) and the migration throughput reports. The
#   cluster resharding test does run on the floors. The failover test does not: StackExchange.Redis 2.13 sometimes never
#   re-routes the killed primary's slots to the promoted replica within the test's bounds (a call held 15 s past its 2 s
#   timeout, those slots not resumed; seen once in a CI-mode run), a client behaviour the library cannot change; it
#   runs on 3.x in the main pass, and docs/cluster.md tells cluster hosts to use 3.x.
# The two projects run side by side, as in the main pass (dotnet test runs a solution's projects in parallel).
floors_status=0
floors_started=$SECONDS
floors_build=$(mktemp -d "${TMPDIR:-/tmp}/zndraw-storage-floors.XXXXXX")
floors=(-c "$config" -p:ZnDrawDependencies=floors --artifacts-path "$floors_build")
floors_projects=(tests/ZnDraw.Storage.Tests/ZnDraw.Storage.Tests.csproj tests/ZnDraw.Storage.Sql.Tests/ZnDraw.Storage.Sql.Tests.csproj)
floors_excluded=(
  ZnDraw.Storage.Tests.Infrastructure.RoundTripsTests.A_pipelined_batch_is_one_round_trip_and_sequential_awaits_are_several
  ZnDraw.Storage.Tests.Redis.Repositories.UserRepositoryTests.Get_credentials_reads_hash_and_salt_in_one_round_trip_and_names_a_wrong_typed_key
  ZnDraw.Storage.Tests.Redis.Repositories.UserRepositoryTests.Every_read_and_write_is_one_round_trip
  ZnDraw.Storage.Tests.Redis.Repositories.SessionRepositoryTests.Every_call_is_one_round_trip
  ZnDraw.Storage.Tests.Redis.Repositories.RoomRepositoryTests.Copy_copies_frames_geometries_and_bookmarks_only
  ZnDraw.Storage.Tests.Redis.Repositories.RoomRepositoryTests.Get_reads_values_as_zndraw_tolerates_them_in_one_round_trip
  ZnDraw.Storage.Tests.Redis.Repositories.ExtensionRepositoryTests.Reads_are_one_round_trip
  ZnDraw.Storage.Tests.Redis.Repositories.ExtensionRepositoryTests.Unregister_worker_removes_a_worker_registered_by_zndraw_as_zndraws_disconnect_handler_does
  ZnDraw.Storage.Tests.Redis.Reconciliation.NotificationReconciliationTests.Rooms_users_and_admins_another_writer_creates_or_deletes_reach_the_listing_within_two_seconds
  ZnDraw.Storage.Sql.Tests.CrossStore.CrossStoreCrashTestsOn
  ZnDraw.Storage.Sql.Tests.Cluster.OutboxFaultTests
  ZnDraw.Storage.Tests.Redis.Cluster.ClusterFailoverTests
  Throughput_of_a_first_run_and_of_a_rerun_is_reported
)
floors_filter=$(printf 'FullyQualifiedName!~%s&' "${floors_excluded[@]}")
floors_filter=${floors_filter%&}
for project in "${floors_projects[@]}"; do
  dotnet build "$project" "${floors[@]}" -warnaserror -nologo -v quiet || floors_status=$?
done
if (( floors_status == 0 )); then
  floors_runs=()
  for project in "${floors_projects[@]}"; do
    dotnet test "$project" "${floors[@]}" --no-build --nologo --filter "$floors_filter" \
      --logger "trx;LogFilePrefix=floors" --logger "console;verbosity=minimal" --results-directory "$results" &
    floors_runs+=($!)
  done
  for run in "${floors_runs[@]}"; do wait "$run" || status=$?; done
fi
rm -rf "$floors_build"
echo "second pass (dependency floors): $(( SECONDS - floors_started )) s"

# The packages as a host consumes them: packed, restored by version into a fresh console app, run
# against the test Redis. Counted as one test in the closing line.
package_status=0
./scripts/package-test.sh || package_status=$?

# The core package natively compiled (NativeAOT, trim warnings are errors) and run against the test Redis.
# Counted as one test in the closing line.
aot_status=0
./scripts/aot-test.sh || aot_status=$?

# In CI (CI=true) or on request (ZNDRAW_BENCH=1) the quick benchmarks run too, so they never rot; they fail
# only on errors, never on a missed target (the targets are reported in benchmarks/results/quick/summary.md).
bench_status=-1
if [[ ${CI:-} == true || ${ZNDRAW_BENCH:-} == 1 ]]; then
  bench_status=0
  bench_started=$SECONDS
  ./scripts/bench.sh --quick || bench_status=$?
  echo "quick benchmarks: $(( SECONDS - bench_started )) s (the issue's budget: under 300 s)"
fi

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  counters=$(grep -o -m1 '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$(( passed + ${p:-0} ))
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$(( failed + ${f:-0} ))
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$(( failed + ${e:-0} ))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$(( skipped + ${n:-0} ))
  # The failed tests by name, next to the closing line (CI shows the end of the output), with the pass they ran in.
  pass=main; [[ $(basename "$trx") == floors* ]] && pass=floors
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/\1/p' |
    while IFS= read -r name; do echo "failed ($pass pass): $name" >&2; done || true
done
rm -rf "$results"

if (( coverage_status == 0 )); then passed=$(( passed + 1 )); else failed=$(( failed + 1 )); status=1; fi
if (( package_status == 0 )); then passed=$(( passed + 1 )); else failed=$(( failed + 1 )); status=1; fi
if (( floors_status != 0 )); then failed=$(( failed + 1 )); status=1; echo "second pass: the build on the dependency floors failed" >&2; fi
if (( aot_status == 0 )); then passed=$(( passed + 1 )); else failed=$(( failed + 1 )); status=1; fi
if (( bench_status == 0 )); then passed=$(( passed + 1 )); elif (( bench_status > 0 )); then failed=$(( failed + 1 )); status=1; fi
if (( passed == 0 && failed == 0 && status != 0 )); then failed=1; fi
if (( coverage_status != 0 )); then echo "coverage check failed: no report, or line coverage below the floor of $coverage_floor% (scripts/test.sh)" >&2; fi
if (( package_status != 0 )); then echo "failed: the package test (scripts/package-test.sh, exit $package_status; its message is above)" >&2; fi
if (( aot_status != 0 )); then echo "failed: the native AOT test (scripts/aot-test.sh, exit $aot_status; its message is above)" >&2; fi
if (( bench_status > 0 )); then echo "failed: the quick benchmarks (scripts/bench.sh --quick, exit $bench_status; their message is above)" >&2; fi
echo "$coverage_line"
echo "$passed passed, $failed failed, $skipped skipped"
if (( status != 0 || failed != 0 || passed == 0 )); then exit 1; fi
