#!/usr/bin/env bash
# Records new public API in each packable project's PublicAPI.Unshipped.txt: builds, collects the
# symbols that the PublicApiAnalyzers report as undeclared (RS0016), appends them, and sorts the
# file. Run it after adding public members on purpose, then review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/ZnDraw.Storage src/ZnDraw.Storage.Sql src/ZnDraw.Storage.Sql.Sqlite src/ZnDraw.Storage.Sql.PostgreSql src/ZnDraw.Storage.OpenTelemetry; do
  name=$(basename "$project")
  log=$(mktemp)
  dotnet build "$project/$name.csproj" --no-incremental -nologo -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >"$log" 2>&1 || true
  grep -o "RS0016: Symbol '.*' is not part of the declared public API" "$log" \
    | sed -e "s/^RS0016: Symbol '//" -e "s/' is not part of the declared public API$//" \
    | sort -u > "$log.new" || true
  if [[ -s $log.new ]]; then
    { grep -v '^#nullable enable$' "$project/PublicAPI.Unshipped.txt" || true; cat "$log.new"; } | sort -u > "$log.all"
    { echo '#nullable enable'; cat "$log.all"; } > "$project/PublicAPI.Unshipped.txt"
    echo "$name: $(wc -l < "$log.new") symbol(s) added"
  else
    echo "$name: nothing to add"
  fi
  rm -f "$log" "$log.new" "$log.all"
done
