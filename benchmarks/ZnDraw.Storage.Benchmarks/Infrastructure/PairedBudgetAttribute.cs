namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// Gives the pairs of a class a share of the paired comparison's time budget per pair (quick 0.5 s, full 3 s): the SQL
/// twins take 0.6 of it (0.3 s per pair in the quick run), so that two dialects fit CI's budget.
/// </summary>
/// <param name="share">The share of the mode's budget, 0 … 1.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class PairedBudgetAttribute(double share) : Attribute
{
    /// <summary>The share of the mode's budget per pair.</summary>
    public double Share { get; } = share;
}
