using System.Globalization;
using System.Text;

namespace ActorBroker.Benchmarks;

/// <summary>The figures of one run of one scenario. Latencies in milliseconds; MB are 10^6 bytes of values.</summary>
public sealed record RunResult(
    string Scenario, int ValueBytes, string Acks, int Partitions, int Records, double Seconds,
    double? P50, double? P99, double? P999, CpuUse Cpu)
{
    public double RecordsPerSecond => Records / Seconds;
    public double MegabytesPerSecond => (double)Records * ValueBytes / Seconds / 1e6;
    public string Key => $"{Scenario}|{ValueBytes}|{Acks}|{Partitions}";
}

/// <summary>Percentiles (nearest rank) and medians.</summary>
public static class Stats
{
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
            return double.NaN;
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static (double P50, double P99, double P999) Summarize(double[] latencies)
    {
        var sorted = (double[])latencies.Clone();
        Array.Sort(sorted);
        return (Percentile(sorted, 50), Percentile(sorted, 99), Percentile(sorted, 99.9));
    }

    public static double? Median(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).OrderBy(v => v).ToArray();
        if (present.Length == 0)
            return null;
        int mid = present.Length / 2;
        return present.Length % 2 == 1 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
    }
}

/// <summary>Prints the runs as a Markdown table: one row per scenario, the median of each figure over its runs.</summary>
public static class ResultTable
{
    public static string Format(IReadOnlyList<RunResult> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| scenario | value B | acks | part. | records | runs | records/s (median) | records/s min–max | MB/s | p50 ms | p99 ms | p99.9 ms | node CPU % | node CPU wait % | client CPU % | machine busy % |");
        sb.AppendLine("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var group in runs.GroupBy(r => r.Key))
        {
            var first = group.First();
            var rates = group.Select(r => r.RecordsPerSecond).ToArray();
            sb.Append(CultureInfo.InvariantCulture,
                $"| {first.Scenario} | {first.ValueBytes} | {first.Acks} | {first.Partitions} | {first.Records} | {group.Count()} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => (double?)r.RecordsPerSecond)), 0)} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {rates.Min():F0}–{rates.Max():F0} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => (double?)r.MegabytesPerSecond)), 2)} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => r.P50)), 2)} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => r.P99)), 2)} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => r.P999)), 2)} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => r.Cpu.NodePercent)), 0)} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => r.Cpu.NodeWaitPercent)), 0)} ");
            sb.Append(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => (double?)r.Cpu.ClientPercent)), 0)} ");
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {Num(Stats.Median(group.Select(r => r.Cpu.MachineBusyPercent)), 0)} |");
        }
        return sb.ToString();
    }

    /// <summary>The best median MB/s of each throughput scenario next to the machine's limits, when they are known.</summary>
    public static string FormatAgainstLimits(IReadOnlyList<RunResult> runs, double? diskWriteMbps, double? loopbackMbps)
    {
        var sb = new StringBuilder();
        foreach (var group in runs.Where(r => r.Scenario is "produce" or "consume").GroupBy(r => r.Key))
        {
            var first = group.First();
            double mbps = Stats.Median(group.Select(r => (double?)r.MegabytesPerSecond))!.Value;
            sb.Append(CultureInfo.InvariantCulture,
                $"{first.Scenario,-8} value={first.ValueBytes,5} B acks={first.Acks,-3}: {mbps,7:F1} MB/s of values");
            if (first.Scenario == "produce" && diskWriteMbps is { } disk)
                sb.Append(CultureInfo.InvariantCulture, $" = {100 * mbps / disk,5:F1}% of direct disk write ({disk:F0} MB/s)");
            if (loopbackMbps is { } loopback)
                sb.Append(CultureInfo.InvariantCulture, $" = {100 * mbps / loopback,5:F1}% of loopback TCP ({loopback:F0} MB/s)");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    public static string FormatRun(RunResult r)
    {
        string latency = r.P50 is { } p50
            ? FormattableString.Invariant($", p50 {p50:F2} ms, p99 {r.P99:F2} ms, p99.9 {r.P999:F2} ms")
            : "";
        return FormattableString.Invariant(
            $"{r.Scenario} value={r.ValueBytes}B acks={r.Acks} partitions={r.Partitions} records={r.Records}: ") +
            FormattableString.Invariant($"{r.Seconds:F2} s, {r.RecordsPerSecond:F0} records/s, {r.MegabytesPerSecond:F2} MB/s") +
            latency +
            FormattableString.Invariant(
                $", CPU node {Num(r.Cpu.NodePercent, 0)}% (waiting {Num(r.Cpu.NodeWaitPercent, 0)}%) client {r.Cpu.ClientPercent:F0}% machine busy {Num(r.Cpu.MachineBusyPercent, 0)}%");
    }

    private static string Num(double? value, int decimals) =>
        value is { } v ? v.ToString("F" + decimals, CultureInfo.InvariantCulture) : "–";
}
