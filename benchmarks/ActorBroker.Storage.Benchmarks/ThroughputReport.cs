namespace ActorBroker.Storage.Benchmarks;

/// <summary>Prints a <see cref="ThroughputRun"/> as a Markdown table (MB = 10^6 bytes of whole batches, as dd counts).</summary>
public static class ThroughputReport
{
    public static void Print(ThroughputRun run, ThroughputOptions options, TextWriter output)
    {
        output.WriteLine($"Storage-layer append throughput: {Batches.RecordsPerBatch} records of {Batches.ValueBytes} B per batch " +
                         $"({Batches.Build().Length} B), up to {options.MegabytesPerRun} MiB or {options.SecondsPerRun} s per run, in {options.Directory}");
        output.WriteLine($"{Environment.ProcessorCount} CPUs; load average {run.LoadBefore} before, {run.LoadAfter} after (other processes share this machine)");
        output.WriteLine();
        output.WriteLine("| run | MB written | MB/s while writing | MB/s incl. final fsync | fsyncs |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var result in (run.Dd is null ? [] : new[] { run.Dd }).Concat(run.Log).Concat(run.Files))
            output.WriteLine($"| {result.Name} | {result.Bytes / 1e6:F0} | {result.WriteMBps:F1} | {result.DurableMBps:F1} | {result.Fsyncs} |");
    }
}
