namespace ActorBroker.Benchmarks;

/// <summary>
/// A broker the scenarios run against: its bootstrap list, the processes whose CPU time is its cost (the node, the
/// cluster's nodes, or the mock cluster's process), the replication factor of the topics made on it, and for the
/// mock cluster the process that makes its topics.
/// </summary>
public sealed record Target(string Name, string Bootstrap, IReadOnlyList<int> Pids, short ReplicationFactor = 1, MockReference? Mock = null)
{
    /// <summary>The broker processes' CPU time so far, in seconds; null when /proc cannot tell (or no process is known).</summary>
    public double? CpuSeconds() => CpuMeter.ProcessCpuSeconds(Pids);
}
