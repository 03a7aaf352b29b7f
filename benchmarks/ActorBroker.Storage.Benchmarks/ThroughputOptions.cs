using System.Globalization;

namespace ActorBroker.Storage.Benchmarks;

/// <summary>Options of the <c>--throughput</c> mode. Immutable.</summary>
/// <param name="Directory">Where the logs and the dd file are written (the filesystem measured).</param>
/// <param name="MegabytesPerRun">How many MiB each append run writes at most.</param>
/// <param name="SecondsPerRun">How long each run may take at most (fsync per batch is slow on a loaded disk).</param>
/// <param name="DdMegabytes">Size of the dd write (MiB); 0 skips it.</param>
public sealed record ThroughputOptions(string Directory, int MegabytesPerRun, double SecondsPerRun, int DdMegabytes)
{
    public const string Usage = """
        ActorBroker.Storage.Benchmarks --throughput [--dir DIR] [--mb N] [--seconds S] [--dd-mb N]
          Append throughput of PartitionLog alone (1 KiB records in 16 KiB batches) with flush off, group-commit fsync
          every 10 ms and fsync per batch, then sequential writes to a plain file grown as it goes, extended with
          SetLength (sparse) and preallocated with fallocate, next to `dd if=/dev/zero bs=1M count=N conv=fdatasync`.
          --dir      directory on the filesystem to measure (default: $TMPDIR or /tmp)
          --mb       MiB written per run at most (default 512)
          --seconds  seconds per run at most (default 20)
          --dd-mb    MiB written by dd (default 1024; 0 skips dd)
        ActorBroker.Storage.Benchmarks [BenchmarkDotNet arguments, e.g. --filter '*' --job short]
          BenchmarkDotNet micro-benchmarks of PartitionLog append and read.
        """;

    public static ThroughputOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ThroughputOptions(Path.GetTempPath(), 512, 20, 1024);
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--throughput" => options,
                "--dir" => options with { Directory = Value() },
                "--mb" => options with { MegabytesPerRun = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seconds" => options with { SecondsPerRun = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--dd-mb" => options with { DdMegabytes = int.Parse(Value(), CultureInfo.InvariantCulture) },
                var other => throw new ArgumentException($"Unknown option {other}.\n{Usage}"),
            };
        }
        return options;
    }
}
