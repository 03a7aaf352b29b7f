using BenchmarkDotNet.Attributes;

namespace ActorBroker.Storage.Benchmarks;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the storage layer's hot paths, without fsync: appending one 16 KiB batch (the
/// writer thread's work per produced batch: validation with CRC-32C, offset stamping, positional write, indexing), and
/// reading from a 64 MiB log (index lookup, header scan, positional read) one batch or 1 MiB at a time.
/// </summary>
[MemoryDiagnoser]
public class PartitionLogBenchmarks
{
    private string _directory = "";
    private PartitionLog _log = null!;
    private byte[] _batch = [];
    private long _readableEnd;
    private Random _random = new(42);

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "actorbroker-storage-bdn", Guid.NewGuid().ToString("N"));
        _log = PartitionLog.Open(_directory, new LogConfig { SegmentBytes = 64 * 1024 * 1024 });
        _batch = Batches.Build();
        while (_log.SizeInBytes < 64L * 1024 * 1024)
            _log.Append(_batch, 0);
        _readableEnd = _log.LogEndOffset;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Appends go past the 64 MiB the reads use; every 64 MiB more the log is cut back (amortised: under 1 µs an append).</summary>
    [Benchmark(Description = "Append one 16 KiB batch (no fsync)")]
    public long Append()
    {
        var result = _log.Append(_batch, 0);
        if (result.LogEndOffset - _readableEnd >= _readableEnd)
            _log.TruncateTo(_readableEnd);
        return result.LastOffset;
    }

    [Benchmark(Description = "Read one batch at a random offset")]
    public int ReadOneBatch() => _log.Read(_random.NextInt64(0, _readableEnd), 1, minOneBatch: true).Records.Length;

    [Benchmark(Description = "Read 1 MiB at a random offset")]
    public int ReadOneMebibyte() => _log.Read(_random.NextInt64(0, _readableEnd), 1024 * 1024, minOneBatch: true).Records.Length;
}
