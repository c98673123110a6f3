#!/usr/bin/env bash
# Consumes the packages as a host application would: packs ZnDraw.Storage, ZnDraw.Storage.Sql,
# ZnDraw.Storage.Sql.Sqlite and ZnDraw.Storage.Sql.PostgreSql under a unique pre-release version into a
# temporary feed (and checks that no package carries a runtimeconfig.json), then, for each combination
#   redis     ZnDraw.Storage alone
#   sqlite    + ZnDraw.Storage.Sql.Sqlite      (hybrid storage and history in a SQLite file)
#   postgres  + ZnDraw.Storage.Sql.PostgreSql  (hybrid storage and history in PostgreSQL; needs ZNDRAW_POSTGRES)
# copies tests/PackageConsumer into a temporary folder outside the repository (so none of the repository's
# Directory.*.props or central package versions apply), restores it from that feed (the ZnDraw packages)
# and nuget.org (everything else) into a private packages folder, checks that its output holds the chosen
# provider and not the other one, then runs it against the Redis in ZNDRAW_REDIS. Ends with
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
libraries=(ZnDraw.Storage ZnDraw.Storage.Sql ZnDraw.Storage.Sql.Sqlite ZnDraw.Storage.Sql.PostgreSql)
for library in "${libraries[@]}"; do
  pack "src/$library/$library.csproj"
done
for library in "${libraries[@]}"; do
  for file in "$library.$version".{nupkg,snupkg}; do
    [[ -f $feed/$file ]] || { echo "package-test: $file was not produced" >&2; exit 1; }
  done
  # A library package carries no runtimeconfig.json (the EF Core Design package would add one to the provider projects).
  if unzip -l "$feed/$library.$version.nupkg" | grep -q 'runtimeconfig\.json'; then
    echo "package-test: $library.$version.nupkg contains a runtimeconfig.json" >&2
    exit 1
  fi
  echo "package-test: $library.$version.nupkg $(stat -c %s "$feed/$library.$version.nupkg") bytes"
done

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
  dotnet build "$app/PackageConsumer.csproj" -c Release -nologo -v quiet \
    -p:ZnDrawStorageVersion="$version" -p:ZnDrawProvider="$combination"

  out=$app/bin/Release/net10.0
  for file in $(expect_present "$combination"); do
    find "$out" -name "$file" | grep -q . || { echo "package-test: [$combination] $file is missing from the output" >&2; exit 1; }
  done
  for file in $(expect_absent "$combination"); do
    if find "$out" -name "$file" | grep -q .; then
      echo "package-test: [$combination] $file is in the output, but this combination must not get it" >&2
      exit 1
    fi
    if [[ $file == *.dll ]] && grep -q "\"${file%.dll}/" "$out/PackageConsumer.deps.json"; then
      echo "package-test: [$combination] PackageConsumer.deps.json names the package ${file%.dll}" >&2
      exit 1
    fi
  done

  echo "package-test: [$combination] running it against $ZNDRAW_REDIS"
  ZNDRAW_STORAGE_VERSION=$version PACKAGE_TEST_WORKDIR=$run \
    timeout 120 dotnet "$out/PackageConsumer.dll"
done

resolved=$(find "$work/packages" -mindepth 2 -maxdepth 2 -path "$work/packages/zndraw.storage*/*" -type d -printf '%f\n' | sort -u)
if [[ $resolved != "$version" ]]; then
  echo "package-test: restored ZnDraw packages '$resolved', expected only $version" >&2
  exit 1
fi

echo "package-test: $(( $(date +%s) - started )) s"
echo "package consumption: ok"
