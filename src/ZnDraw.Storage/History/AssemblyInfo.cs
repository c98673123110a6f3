using System.Runtime.CompilerServices;

// The history tests exercise the internal outbox, recorder and dispatcher directly.
[assembly: InternalsVisibleTo("ZnDraw.Storage.Sql.Tests")]
