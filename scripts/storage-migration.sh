#!/usr/bin/env bash
# Regenerates the SQL storage migrations after a model change (src/ZnDraw.Storage.Sql/Model):
#   ./scripts/storage-migration.sh add <Name>     one migration per provider, classes made internal
#   ./scripts/storage-migration.sh remove         removes the last one of each provider
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
project=(--project src/ZnDraw.Storage.Sql --startup-project src/ZnDraw.Storage.Sql)
case "${1:-}" in
  add)
    name="${2:?usage: storage-migration.sh add <Name>}"
    dotnet ef migrations add "$name" --context SqliteStorageDbContext "${project[@]}" --output-dir Migrations/Storage/Sqlite
    dotnet ef migrations add "$name" --context PostgresStorageDbContext "${project[@]}" --output-dir Migrations/Storage/PostgreSql --no-build
    # Migrations are not part of the public API.
    sed -i -E 's/^(    )public (partial class|class)/\1internal \2/' src/ZnDraw.Storage.Sql/Migrations/Storage/*/*.cs
    ;;
  remove)
    dotnet ef migrations remove --context SqliteStorageDbContext "${project[@]}" --force
    dotnet ef migrations remove --context PostgresStorageDbContext "${project[@]}" --force
    ;;
  *) echo "usage: $0 add <Name> | remove" >&2; exit 2 ;;
esac
