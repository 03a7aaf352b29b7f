using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ActorBroker.Benchmarks;

/// <summary>The figures as a Markdown table and as JSON (an array of {scenario, metric, unit, actorbroker, reference, ratio}).</summary>
public static class Report
{
    public static string Table(IEnumerable<Figure> figures)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| scenario | metric | unit | ActorBroker (median) | ActorBroker min–max | reference (median) | reference min–max | reference is | ratio |");
        sb.AppendLine("|---|---|---|--:|--:|--:|--:|---|--:|");
        foreach (var f in figures)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Scenario} | {f.Metric} | {f.Unit} | {Num(f.ActorBroker.Median)} | {Range(f.ActorBroker)} | " +
                $"{(f.Reference is { } r ? Num(r.Median) : "–")} | {(f.Reference is { } rr ? Range(rr) : "–")} | {f.ReferenceName ?? "–"} | " +
                $"{(f.Ratio is { } ratio ? ratio.ToString("F2", CultureInfo.InvariantCulture) : "–")} |");
        }
        return sb.ToString();
    }

    public static string Json(IEnumerable<Figure> figures) =>
        JsonSerializer.Serialize(
            figures.Select(f => new
            {
                scenario = f.Scenario,
                metric = f.Metric,
                unit = f.Unit,
                actorbroker = Round(f.ActorBroker.Median),
                reference = f.Reference is { } r ? Round(r.Median) : (double?)null,
                ratio = f.Ratio is { } ratio ? Math.Round(ratio, 3) : (double?)null,
            }),
            new JsonSerializerOptions { WriteIndented = true });

    private static double Round(double value) => Math.Round(value, value >= 100 ? 0 : 3);

    private static string Range(Spread s) => $"{Num(s.Min)}–{Num(s.Max)}";

    private static string Num(double value) =>
        value.ToString(Math.Abs(value) >= 1000 ? "N0" : Math.Abs(value) >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);
}
