#!/usr/bin/env bash
# Consumes the packages as a host application would: packs ZnDraw.Storage, ZnDraw.Storage.Sql,
# ZnDraw.Storage.Sql.Sqlite, ZnDraw.Storage.Sql.PostgreSql and ZnDraw.Storage.OpenTelemetry under a unique
# pre-release version into a temporary feed and checks each package (no runtimeconfig.json; repository, project
# URL, release notes, licence, its own README without relative links), proves package validation against a 1.0.0
# baseline both ways (unchanged tree passes, a removed public member fails), then, for each combination
#   redis     ZnDraw.Storage alone, on StackExchange.Redis 3.x, with ZnDraw.Storage.OpenTelemetry (spans exported in
#             memory) and the SourceLink record of every symbol package read from its portable PDB
#   sqlite    + ZnDraw.Storage.Sql.Sqlite      (hybrid storage and history in a SQLite file)
#   postgres  + ZnDraw.Storage.Sql.PostgreSql  (hybrid storage and history in PostgreSQL; needs ZNDRAW_POSTGRES)
# copies tests/PackageConsumer into a temporary folder outside the repository (so none of the repository's
# Directory.*.props or central package versions apply), restores it from that feed (the ZnDraw packages)
# and nuget.org (everything else) into a private packages folder, checks that its output holds the chosen
# provider and not the other one, then runs it against the Redis in ZNDRAW_REDIS. The operator tool
# (ZnDraw.Storage.Tool) is packed with them, installed from that feed with `dotnet tool install --tool-path`, and run:
# `zndraw-storage --version` and `rooms list` against ZNDRAW_REDIS. Ends with
# "package consumption: ok", or exits non-zero. Run it, do not source it: its EXIT trap removes its
# temporary folders.
#
#   source scripts/services.sh; svc_init; svc_start_redis; svc_start_postgres; ./scripts/package-test.sh
#
# PACKAGE_TEST_COMBINATIONS="redis sqlite" runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."

combinations=${PACKAGE_TEST_COMBINATIONS:-redis sqlite postgres}
if [[ -z ${ZNDRAW_REDIS:-} ]] || { [[ " $combinations " == *" postgres "* ]] && [[ -z ${ZNDRAW_POSTGRES:-} ]]; }; then
  echo "package-test: ZNDRAW_REDIS (and ZNDRAW_POSTGRES for the postgres combination) must be set. Run" >&2
  echo "./scripts/test.sh, or start the servers first:" >&2
  echo "  source scripts/services.sh; svc_init; svc_start_redis; svc_start_postgres; ./scripts/package-test.sh" >&2
  exit 2
fi

started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/zndraw-package-test.XXXXXX")
finish() {
  local status=$?
  rm -rf "$work"
  (( status == 0 )) || echo "package consumption: FAILED (exit $status)" >&2
}
trap finish EXIT
feed=$work/feed
mkdir -p "$feed"

prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
version="${prefix:-0.0.0}-ci.$(date -u +%Y%m%d%H%M%S).$$"
echo "package-test: packing $version"

# A private artifacts folder: the repository's bin/ and obj/ are neither used nor touched.
pack() {
  dotnet pack "$1" -c Release -o "$feed" --artifacts-path "$work/build" \
    -p:Version="$version" -nologo -v quiet
}
libraries=(ZnDraw.Storage ZnDraw.Storage.Sql ZnDraw.Storage.Sql.Sqlite ZnDraw.Storage.Sql.PostgreSql ZnDraw.Storage.OpenTelemetry)
for library in "${libraries[@]}"; do
  pack "src/$library/$library.csproj"
done
for library in "${libraries[@]}"; do
  for file in "$library.$version".{nupkg,snupkg}; do
    [[ -f $feed/$file ]] || { echo "package-test: $file was not produced" >&2; exit 1; }
  done
  # A library package carries no runtimeconfig.json (the EF Core Design package would add one to the provider projects).
  if unzip -l "$feed/$library.$version.nupkg" | grep 'runtimeconfig\.json' >/dev/null; then
    echo "package-test: $library.$version.nupkg contains a runtimeconfig.json" >&2
    exit 1
  fi
  # What a package page shows: repository and project URLs, release notes, licence, and its own README without
  # repository-relative links (they would break on the package page).
  nuspec=$(unzip -p "$feed/$library.$version.nupkg" "$library.nuspec")
  for element in '<repository type="git" url="https://' '<projectUrl>https://' '<releaseNotes>' '<readme>README.md</readme>' \
                 '<license type="expression">MIT</license>'; do
    grep -qF "$element" <<<"$nuspec" || { echo "package-test: $library.nuspec lacks $element" >&2; exit 1; }
  done
  readme=$(unzip -p "$feed/$library.$version.nupkg" README.md)
  grep -q "^# $library\$" <<<"$readme" || { echo "package-test: $library packs another package's README" >&2; exit 1; }
  if grep -nP '\]\((?!https?://)' <<<"$readme"; then
    echo "package-test: the README of $library has relative links (above)" >&2
    exit 1
  fi
  echo "package-test: $library.$version.nupkg $(stat -c %s "$feed/$library.$version.nupkg") bytes"
done
for file in ConfigurationSchema.json buildTransitive/net10.0/ZnDraw.Storage.targets; do
  unzip -l "$feed/ZnDraw.Storage.$version.nupkg" | grep -F " $file" >/dev/null || { echo "package-test: ZnDraw.Storage lacks $file" >&2; exit 1; }
done

# The frozen API: package validation compares a pack with the baseline (1.0.0, here packed from this tree into a
# feed of its own) and fails on a breaking change. Proven both ways on the core package, each in a copy of the tree
# whose nuget.config adds that feed: the tree as it is passes, the tree with one public member made internal fails
# with CP0002.
baseline_feed=$work/baseline
mkdir -p "$baseline_feed"
dotnet pack src/ZnDraw.Storage/ZnDraw.Storage.csproj -c Release -o "$baseline_feed" --artifacts-path "$work/build-baseline" \
  -p:Version=1.0.0 -nologo -v quiet
copy_tree() { # folder: the core's sources and the build settings, with a nuget.config that serves the baseline
  mkdir -p "$1"
  tar --exclude=bin --exclude=obj -cf - src/ZnDraw.Storage Directory.Build.props Directory.Build.targets \
    Directory.Packages.props | tar -xf - -C "$1"
  cat > "$1/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/validation-packages" /></config>
  <packageSources><add key="baseline" value="$baseline_feed" /></packageSources>
  <packageSourceMapping>
    <packageSource key="baseline"><package pattern="ZnDraw.Storage" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
}
validate() { # tree version [msbuild arguments]: the pack's output
  dotnet pack "$1/src/ZnDraw.Storage/ZnDraw.Storage.csproj" -c Release -o "$work/validated" -p:Version="$2" \
    -p:ZnDrawPackageBaseline=1.0.0 -nologo -v quiet "${@:3}" 2>&1
}
copy_tree "$work/intact"
if ! output=$(validate "$work/intact" 1.0.1-ci); then
  echo "package-test: the unchanged tree fails package validation against 1.0.0:" >&2
  echo "$output" >&2
  exit 1
fi
breaking=$work/breaking
copy_tree "$breaking"
sed -i 's/^    public KeyLayout Layout { get; }/    internal KeyLayout Layout { get; }/' "$breaking/src/ZnDraw.Storage/Redis/Keys/KeySpace.cs"
grep -q '^    internal KeyLayout Layout { get; }' "$breaking/src/ZnDraw.Storage/Redis/Keys/KeySpace.cs" \
  || { echo "package-test: the breaking-change probe found nothing to change in KeySpace.cs" >&2; exit 1; }
# The public API analyzer would refuse the change first (RS0017); package validation is what is tested here.
if output=$(validate "$breaking" 1.0.2-ci -p:RunAnalyzers=false); then
  echo "package-test: a public member removed after 1.0.0 passed package validation" >&2
  exit 1
fi
grep -q "CP0002" <<<"$output" || { echo "package-test: the breaking change failed for another reason:" >&2; echo "$output" >&2; exit 1; }
echo "package-test: package validation against 1.0.0 passes the tree and fails a removed public member (CP0002)"

# The ZnDraw packages come only from the temporary feed, everything else only from nuget.org (the source the
# SDK's user configuration defines under that key); packages are extracted into a private folder, so no
# package cached by an earlier build can be picked.
nuget_config() {
  cat <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <packageSources>
    <add key="zndraw-package-test" value="$feed" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="zndraw-package-test">
      <package pattern="ZnDraw.Storage" />
      <package pattern="ZnDraw.Storage.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML
}

# What each combination's output folder must hold, and what neither it nor its deps.json may name.
expect_present() {
  case $1 in
    redis) echo "ZnDraw.Storage.dll" ;;
    sqlite) echo "ZnDraw.Storage.Sql.dll ZnDraw.Storage.Sql.Sqlite.dll Microsoft.Data.Sqlite.dll libe_sqlite3.so" ;;
    postgres) echo "ZnDraw.Storage.Sql.dll ZnDraw.Storage.Sql.PostgreSql.dll Npgsql.dll" ;;
  esac
}
expect_absent() {
  case $1 in
    redis) echo "ZnDraw.Storage.Sql.dll Microsoft.EntityFrameworkCore.dll Npgsql.dll Microsoft.Data.Sqlite.dll libe_sqlite3.so" ;;
    sqlite) echo "ZnDraw.Storage.Sql.PostgreSql.dll Npgsql.dll Npgsql.EntityFrameworkCore.PostgreSQL.dll" ;;
    postgres) echo "ZnDraw.Storage.Sql.Sqlite.dll Microsoft.Data.Sqlite.dll Microsoft.EntityFrameworkCore.Sqlite.dll SQLitePCLRaw.core.dll libe_sqlite3.so" ;;
  esac
}

for combination in $combinations; do
  app=$work/app-$combination run=$work/run-$combination
  mkdir -p "$app" "$run"
  cp tests/PackageConsumer/PackageConsumer.csproj tests/PackageConsumer/Program.cs \
     tests/PackageConsumer/Directory.Build.props tests/PackageConsumer/Directory.Build.targets \
     tests/PackageConsumer/Directory.Packages.props "$app/"
  nuget_config > "$app/nuget.config"

  echo "package-test: [$combination] building a consumer outside the repository"
  # The hosts differ in their own versions too: redis runs the floor-built package on StackExchange.Redis 3.x, sqlite
  # is a host on the floors (Microsoft.Extensions.* and EF Core 10.0.0), postgres on the latest.
  case $combination in
    redis) host_versions=(-p:StackExchangeRedisVersion=3.4.35) ;;
    sqlite) host_versions=(-p:MicrosoftExtensionsVersion=10.0.0 -p:EntityFrameworkCoreVersion=10.0.0) ;;
    *) host_versions=() ;;
  esac
  dotnet build "$app/PackageConsumer.csproj" -c Release -nologo -v quiet \
    -p:ZnDrawStorageVersion="$version" -p:ZnDrawProvider="$combination" "${host_versions[@]}"

  out=$app/bin/Release/net10.0
  for file in $(expect_present "$combination"); do
    find "$out" -name "$file" | grep . >/dev/null || { echo "package-test: [$combination] $file is missing from the output" >&2; exit 1; }
  done
  for file in $(expect_absent "$combination"); do
    if find "$out" -name "$file" | grep . >/dev/null; then
      echo "package-test: [$combination] $file is in the output, but this combination must not get it" >&2
      exit 1
    fi
    if [[ $file == *.dll ]] && grep -q "\"${file%.dll}/" "$out/PackageConsumer.deps.json"; then
      echo "package-test: [$combination] PackageConsumer.deps.json names the package ${file%.dll}" >&2
      exit 1
    fi
  done

  echo "package-test: [$combination] running it against $ZNDRAW_REDIS"
  ZNDRAW_STORAGE_VERSION=$version PACKAGE_TEST_WORKDIR=$run PACKAGE_TEST_FEED=$feed PACKAGE_TEST_REDIS_MAJOR=3 \
    timeout 120 dotnet "$out/PackageConsumer.dll"
done

# The operator tool: a DotnetTool package with everything it needs inside, installed as an operator would (from the
# feed alone, into a private tool path and packages folder), then run against the test Redis on a room written with
# ZnDraw's own keys (the rooms index and the room's current_frame, as the Python server writes them).
echo "package-test: [tool] packing, installing and running zndraw-storage"
pack src/ZnDraw.Storage.Tool/ZnDraw.Storage.Tool.csproj
tool_package=$feed/ZnDraw.Storage.Tool.$version.nupkg
[[ -f $tool_package ]] || { echo "package-test: ZnDraw.Storage.Tool.$version.nupkg was not produced" >&2; exit 1; }
tool_nuspec=$(unzip -p "$tool_package" ZnDraw.Storage.Tool.nuspec)
for element in '<packageType name="DotnetTool" />' '<repository type="git" url="https://' '<readme>README.md</readme>' \
               '<license type="expression">MIT</license>'; do
  grep -qF "$element" <<<"$tool_nuspec" || { echo "package-test: ZnDraw.Storage.Tool.nuspec lacks $element" >&2; exit 1; }
done
unzip -p "$tool_package" README.md | grep '^# ZnDraw.Storage.Tool$' >/dev/null || { echo "package-test: the tool packs another README" >&2; exit 1; }
if unzip -l "$tool_package" | grep 'BuildHost-' >/dev/null; then
  echo "package-test: the tool package carries EF Core's design-time build hosts" >&2
  exit 1
fi
cat > "$work/tool-nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/tool-packages" /></config>
  <packageSources><clear /><add key="zndraw-package-test" value="$feed" /></packageSources>
</configuration>
XML
dotnet tool install --tool-path "$work/tool" ZnDraw.Storage.Tool --version "$version" \
  --configfile "$work/tool-nuget.config" >/dev/null
tool=$work/tool/zndraw-storage
tool_version=$("$tool" --version)
[[ $tool_version == "$version" || $tool_version == "$version+"* ]] \
  || { echo "package-test: zndraw-storage --version printed '$tool_version', expected $version" >&2; exit 1; }
tool_prefix="package-test-$$:"
redis-cli -h "${ZNDRAW_REDIS%:*}" -p "${ZNDRAW_REDIS##*:}" SADD "${tool_prefix}rooms:index" tool-room >/dev/null
redis-cli -h "${ZNDRAW_REDIS%:*}" -p "${ZNDRAW_REDIS##*:}" SET "${tool_prefix}room:tool-room:current_frame" 0 >/dev/null
rooms=$("$tool" --redis "$ZNDRAW_REDIS" --prefix "$tool_prefix" rooms list --json) || status=$?
redis-cli -h "${ZNDRAW_REDIS%:*}" -p "${ZNDRAW_REDIS##*:}" DEL "${tool_prefix}rooms:index" "${tool_prefix}room:tool-room:current_frame" >/dev/null
(( ${status:-0} == 0 )) || { echo "package-test: zndraw-storage rooms list exited ${status}" >&2; exit 1; }
grep -q '"id": "tool-room"' <<<"$rooms" || { echo "package-test: zndraw-storage rooms list did not list the room: $rooms" >&2; exit 1; }
echo "package-test: [tool] zndraw-storage $tool_version installed from the feed lists the rooms of $ZNDRAW_REDIS"

resolved=$(find "$work/packages" -mindepth 2 -maxdepth 2 -path "$work/packages/zndraw.storage*/*" -type d -printf '%f\n' | sort -u)
if [[ $resolved != "$version" ]]; then
  echo "package-test: restored ZnDraw packages '$resolved', expected only $version" >&2
  exit 1
fi

echo "package-test: $(( $(date +%s) - started )) s"
echo "package consumption: ok"
