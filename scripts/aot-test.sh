#!/usr/bin/env bash
# ZnDraw.Storage (the core package) in a native AOT host: publishes tests/ZnDraw.Storage.AotSmoke with
# `dotnet publish -r linux-x64 -c Release` into a temporary folder (the repository's bin/ and obj/ are neither
# used nor touched) and runs the native binary against the Redis in ZNDRAW_REDIS. Warnings are errors, so a trim
# or AOT warning fails the publish. Installs clang and zlib1g-dev (NativeAOT's linker and zlib) when missing.
# Ends with "aot smoke: ok", or exits non-zero. Run it, do not source it: its EXIT trap removes its folder.
#
#   source scripts/services.sh; svc_init; svc_start_redis; ./scripts/aot-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${ZNDRAW_REDIS:-} ]]; then
  echo "aot-test: ZNDRAW_REDIS is not set. Run ./scripts/test.sh, or start a Redis first:" >&2
  echo "  source scripts/services.sh; svc_init; svc_start_redis; ./scripts/aot-test.sh" >&2
  exit 2
fi

source scripts/services.sh
if ! command -v clang >/dev/null 2>&1 || ! dpkg -s zlib1g-dev >/dev/null 2>&1; then
  svc_apt_install clang zlib1g-dev
fi

started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/zndraw-aot-test.XXXXXX")
finish() {
  local status=$?
  rm -rf "$work"
  (( status == 0 )) || echo "aot smoke: FAILED (exit $status)" >&2
}
trap finish EXIT

echo "aot-test: publishing tests/ZnDraw.Storage.AotSmoke natively (linux-x64)"
dotnet publish tests/ZnDraw.Storage.AotSmoke/ZnDraw.Storage.AotSmoke.csproj -r linux-x64 -c Release \
  --artifacts-path "$work/build" -o "$work/out" -nologo -v quiet
binary=$work/out/ZnDraw.Storage.AotSmoke
published=$SECONDS
echo "aot-test: published in $(( published - started )) s, native binary $(( $(stat -c %s "$binary") / 1024 )) KiB"

echo "aot-test: running it against $ZNDRAW_REDIS"
timeout 60 "$binary"
echo "aot-test: $(( SECONDS - started )) s"
echo "aot smoke: ok"
