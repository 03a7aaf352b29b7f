namespace ActorBroker.Benchmarks;

/// <summary>The median and range of one figure over the repetitions of a scenario.</summary>
public sealed record Spread(double Median, double Min, double Max)
{
    /// <summary>The spread of the known values; null when none is known.</summary>
    public static Spread? Of(IEnumerable<double?> values)
    {
        var known = values.Where(v => v.HasValue).Select(v => v!.Value).Order().ToArray();
        if (known.Length == 0)
            return null;
        int mid = known.Length / 2;
        double median = known.Length % 2 == 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
        return new Spread(median, known[0], known[^1]);
    }
}

/// <summary>
/// One line of the results: a scenario's metric measured on ActorBroker and, where there is one, on the reference
/// (named by <see cref="ReferenceName"/>: the mock cluster, or the single node for the cluster scenario).
/// </summary>
public sealed record Figure(string Scenario, string Metric, string Unit, Spread ActorBroker, Spread? Reference, string? ReferenceName)
{
    public double? Ratio => Reference is { Median: > 0 } reference ? ActorBroker.Median / reference.Median : null;
}
