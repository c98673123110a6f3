namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>AddZnDrawStorage</c> so that satellite packages can chain their own registrations,
/// e.g. <c>services.AddZnDrawStorage(...).AddSqlHistory(sql => sql.UseSqlite("Data Source=history.db"))</c>.
/// </summary>
public interface IZnDrawStorageBuilder
{
    /// <summary>The service collection the storage services are registered in.</summary>
    IServiceCollection Services { get; }
}
