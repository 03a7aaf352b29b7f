namespace ActorBroker.Benchmarks;

/// <summary>What one measured window moved: records, bytes of values (MB = 10^6 bytes) and the broker's CPU time.</summary>
public sealed record Throughput(long Records, long Bytes, double Seconds, double? BrokerCpuSeconds)
{
    public double RecordsPerSecond => Records / Seconds;
    public double MegabytesPerSecond => Bytes / Seconds / 1e6;

    /// <summary>Broker CPU seconds per million records; null when the CPU time is unknown.</summary>
    public double? CpuSecondsPerMillionRecords => BrokerCpuSeconds is { } cpu && Records > 0 ? cpu / Records * 1e6 : null;
}

/// <summary>A counter snapshot at one instant of a run: records and bytes so far, the clock and the broker's CPU time.</summary>
public readonly record struct Mark(long Records, long Bytes, double Seconds, double? CpuSeconds)
{
    public Throughput Until(Mark end) =>
        new(end.Records - Records, end.Bytes - Bytes, end.Seconds - Seconds,
            end.CpuSeconds is { } c1 && CpuSeconds is { } c0 ? c1 - c0 : null);
}

/// <summary>End-to-end latencies of a fixed-rate run, in milliseconds, and the rate the schedule asked for and got.</summary>
public sealed record LatencyResult(double P50, double P99, double P999, double Max, long Records, double AchievedPerSecond);
