#!/usr/bin/env bash
# Regenerates the EF Core migrations of both provider packages after a model change (src/ZnDraw.Storage.Sql/Model for
# the storage schema, src/ZnDraw.Storage.Sql/HistoryDbContext.cs for the history schema):
#   ./scripts/storage-migration.sh add <Name> [history]   one migration per provider, classes made internal
#   ./scripts/storage-migration.sh remove [history]       removes the last one of each provider
# Without "history" it works on the storage schema. The migrations live in the provider packages:
# src/ZnDraw.Storage.Sql.Sqlite/Migrations/{Storage,History} and src/ZnDraw.Storage.Sql.PostgreSql/Migrations/{Storage,History}.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null

schema=Storage
case "${1:-}" in
  add) [[ ${3:-} == history ]] && schema=History ;;
  remove) [[ ${2:-} == history ]] && schema=History ;;
esac

# Each provider package is its own project and startup project (it references Microsoft.EntityFrameworkCore.Design).
run() { # provider-folder context-prefix ef-arguments...
  local folder=$1 prefix=$2
  shift 2
  dotnet ef "$@" --context "${prefix}${schema}DbContext" --project "src/$folder" --startup-project "src/$folder"
}

case "${1:-}" in
  add)
    name="${2:?usage: storage-migration.sh add <Name> [history]}"
    run ZnDraw.Storage.Sql.Sqlite Sqlite migrations add "$name" \
      --output-dir "Migrations/$schema" --namespace "ZnDraw.Storage.Sql.Sqlite.Migrations.$schema"
    run ZnDraw.Storage.Sql.PostgreSql Postgres migrations add "$name" \
      --output-dir "Migrations/$schema" --namespace "ZnDraw.Storage.Sql.PostgreSql.Migrations.$schema"
    # Migrations are not part of the public API.
    sed -i -E 's/^(    )public (partial class|class)/\1internal \2/' src/ZnDraw.Storage.Sql.*/Migrations/"$schema"/*.cs
    ;;
  remove)
    run ZnDraw.Storage.Sql.Sqlite Sqlite migrations remove --force
    run ZnDraw.Storage.Sql.PostgreSql Postgres migrations remove --force
    ;;
  *) echo "usage: $0 add <Name> [history] | remove [history]" >&2; exit 2 ;;
esac
