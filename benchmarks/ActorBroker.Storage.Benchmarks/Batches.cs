using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Benchmarks;

/// <summary>The benchmark's unit of work: one uncompressed RecordBatch v2 of 16 records of 1 KiB values (about 16.5 KiB).</summary>
public static class Batches
{
    public const int RecordsPerBatch = 16;
    public const int ValueBytes = 1024;

    /// <summary>A fresh batch; values are pseudo-random bytes so that nothing below the log could shortcut zeros.</summary>
    public static byte[] Build(int seed = 1)
    {
        var random = new Random(seed);
        var builder = new RecordBatchBuilder();
        for (int i = 0; i < RecordsPerBatch; i++)
        {
            var value = new byte[ValueBytes];
            random.NextBytes(value);
            builder.Add(System.Text.Encoding.UTF8.GetBytes($"key-{i:D4}"), value, timestamp: 1_700_000_000_000 + i);
        }
        return builder.Build();
    }
}
