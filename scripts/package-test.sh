#!/usr/bin/env bash
# Consumes the packages as a host application would: packs ZnDraw.Storage and ZnDraw.Storage.Sql
# under a unique pre-release version into a temporary feed, copies tests/PackageConsumer into
# another temporary folder outside the repository (so none of the repository's Directory.*.props or
# central package versions apply), restores it from that feed (the two packages) and nuget.org
# (everything else) into a private packages folder, then builds and runs it against the Redis in
# ZNDRAW_REDIS. Ends with "package consumption: ok", or exits non-zero. Run it, do not source it:
# its EXIT trap removes its temporary folders.
#
#   source scripts/services.sh; svc_init; svc_start_redis; ./scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${ZNDRAW_REDIS:-} ]]; then
  echo "package-test: ZNDRAW_REDIS is not set. Run ./scripts/test.sh, or start a Redis first:" >&2
  echo "  source scripts/services.sh; svc_init; svc_start_redis; ./scripts/package-test.sh" >&2
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
feed=$work/feed app=$work/app run=$work/run
mkdir -p "$feed" "$app" "$run"

prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
version="${prefix:-0.0.0}-ci.$(date -u +%Y%m%d%H%M%S).$$"
echo "package-test: packing $version"

# A private artifacts folder: the repository's bin/ and obj/ are neither used nor touched.
pack() {
  dotnet pack "$1" -c Release -o "$feed" --artifacts-path "$work/build" \
    -p:Version="$version" -nologo -v quiet
}
pack src/ZnDraw.Storage.Sql/ZnDraw.Storage.Sql.csproj
pack src/ZnDraw.Storage/ZnDraw.Storage.csproj
for file in {ZnDraw.Storage,ZnDraw.Storage.Sql}.$version.{nupkg,snupkg}; do
  [[ -f $feed/$file ]] || { echo "package-test: $file was not produced" >&2; exit 1; }
done

cp tests/PackageConsumer/PackageConsumer.csproj tests/PackageConsumer/Program.cs \
   tests/PackageConsumer/Directory.Build.props tests/PackageConsumer/Directory.Build.targets \
   tests/PackageConsumer/Directory.Packages.props "$app/"

# The two packages come only from the temporary feed, everything else only from nuget.org (the
# source the SDK's user configuration defines under that key); packages are extracted into a
# private folder, so no package cached by an earlier build can be picked.
cat > "$app/nuget.config" <<XML
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
      <package pattern="ZnDraw.Storage.Sql" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML

echo "package-test: building a consumer outside the repository"
dotnet build "$app/PackageConsumer.csproj" -c Release -nologo -v quiet -p:ZnDrawStorageVersion="$version"

resolved=$(find "$work/packages/zndraw.storage" "$work/packages/zndraw.storage.sql" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -u)
if [[ $resolved != "$version" ]]; then
  echo "package-test: restored ZnDraw packages '$resolved', expected only $version" >&2
  exit 1
fi

echo "package-test: running it against $ZNDRAW_REDIS"
ZNDRAW_STORAGE_VERSION=$version PACKAGE_TEST_WORKDIR=$run \
  timeout 120 dotnet "$app/bin/Release/net10.0/PackageConsumer.dll"

echo "package-test: $(( $(date +%s) - started )) s"
echo "package consumption: ok"
