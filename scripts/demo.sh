#!/usr/bin/env bash
# Runs the quick-start sample against a throwaway Redis (installed if missing), then stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
svc_init
svc_start_redis
dotnet run --project samples/ZnDraw.Storage.Samples.QuickStart -c Release -- "$@"
