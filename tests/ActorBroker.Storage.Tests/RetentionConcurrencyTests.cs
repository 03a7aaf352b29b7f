namespace ActorBroker.Storage.Tests;

public sealed class RetentionConcurrencyTests : IDisposable
{
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 4 * 1024, IndexIntervalBytes = 256 });

    public void Dispose() => _builder.Dispose();

    [Fact]
    public async Task Readers_racing_retention_get_whole_batches_or_offset_out_of_range()
    {
        using var log = _builder.Open();
        using var done = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long reads = 0, outOfRange = 0;

        void Reader(int seed)
        {
            var random = new Random(seed);
            while (!done.IsCancellationRequested)
            {
                long start = Math.Max(0, log.LogStartOffset - random.Next(0, 20));
                try
                {
                    var result = log.Read(start, random.Next(1, 10_000), minOneBatch: true);
                    var batches = BatchBuilder.Split(result.Records);
                    if (start < result.LogEndOffset && (batches.Count == 0 || batches[0].BaseOffset > start || batches[0].LastOffset < start))
                        failures.Enqueue($"read at {start} did not start with the batch holding it");
                    if (random.Next(10) == 0 && log.OffsetForTimestamp(0) is long found && found < start - 20)
                        failures.Enqueue($"offset for timestamp {found} far below the log start");
                    Interlocked.Increment(ref reads);
                }
                catch (OffsetOutOfRangeException)
                {
                    Interlocked.Increment(ref outOfRange);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            }
        }

        var readers = Enumerable.Range(1, 2).Select(seed => Task.Factory.StartNew(() => Reader(seed), TaskCreationOptions.LongRunning)).ToArray();
        var random = new Random(0);
        for (int round = 0; round < 400; round++)
        {
            for (int i = 0; i < 5; i++)
                log.Append(BatchBuilder.Build(3, valueSize: random.Next(50, 400), baseTimestamp: round), 0);
            if (round % 3 == 0)
                log.ApplyRetention(nowMs: round, retentionMs: 5, retentionBytes: -1);
            else if (round % 3 == 1)
                log.ApplyRetention(nowMs: round, retentionMs: -1, retentionBytes: 16 * 1024);
            else
                log.AdvanceLogStartOffset(log.LogEndOffset - random.Next(0, 40));
        }
        done.Cancel();
        await Task.WhenAll(readers);

        Assert.Empty(failures);
        Assert.True(Interlocked.Read(ref reads) > 0);
        Assert.True(log.LogStartOffset > 0);
        Assert.Equal(log.SegmentCount, _builder.LogFiles().Length);
    }
}
