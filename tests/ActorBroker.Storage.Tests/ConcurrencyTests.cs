namespace ActorBroker.Storage.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 16 * 1024, IndexIntervalBytes = 512 });

    public void Dispose() => _builder.Dispose();

    [Fact]
    public async Task Concurrent_readers_during_appends_never_see_a_partial_batch()
    {
        const int Appends = 2000;
        using var log = _builder.Open();
        using var done = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long reads = 0;

        void Reader(int seed)
        {
            var random = new Random(seed);
            while (!done.IsCancellationRequested)
            {
                long end = log.LogEndOffset;
                long start = end == 0 ? 0 : random.NextInt64(0, end + 1);
                try
                {
                    var result = log.Read(start, random.Next(1, 20_000), minOneBatch: true);
                    var batches = BatchBuilder.Split(result.Records); // throws on a partial or corrupt batch
                    if (start < result.LogEndOffset && batches.Count == 0)
                        failures.Enqueue($"no batch for {start} < {result.LogEndOffset}");
                    for (int i = 0; i < batches.Count; i++)
                    {
                        if (i == 0 && (batches[0].BaseOffset > start || batches[0].LastOffset < start))
                            failures.Enqueue($"first batch {batches[0].BaseOffset} does not hold {start}");
                        if (i > 0 && batches[i].BaseOffset != batches[i - 1].NextOffset)
                            failures.Enqueue($"gap before {batches[i].BaseOffset}");
                        if (batches[i].LastOffset >= result.LogEndOffset)
                            failures.Enqueue($"batch {batches[i].BaseOffset} beyond log end {result.LogEndOffset}");
                    }
                    if (random.Next(20) == 0)
                        log.OffsetForTimestamp(random.NextInt64(1000, 1010));
                    Interlocked.Increment(ref reads);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            }
        }

        var readers = Enumerable.Range(1, 2).Select(seed => Task.Factory.StartNew(() => Reader(seed), TaskCreationOptions.LongRunning)).ToArray();
        var random = new Random(0);
        long expected = 0;
        for (int i = 0; i < Appends; i++)
        {
            int count = random.Next(1, 6);
            var result = log.Append(BatchBuilder.Build(count, valueSize: random.Next(1, 200)), 0);
            Assert.Equal(expected, result.FirstOffset);
            expected += count;
        }
        done.Cancel();
        await Task.WhenAll(readers);

        Assert.Empty(failures);
        Assert.True(Interlocked.Read(ref reads) > 0);
        Assert.True(log.SegmentCount > 5);
        Assert.Equal(Appends, BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Count);
    }

    [Fact]
    public async Task Readers_racing_truncation_get_whole_batches()
    {
        using var log = _builder.Open();
        using var done = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var reader = Task.Factory.StartNew(() =>
        {
            while (!done.IsCancellationRequested)
            {
                try
                {
                    BatchBuilder.Split(log.Read(log.LogStartOffset, 50_000, true).Records);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            }
        }, TaskCreationOptions.LongRunning);

        for (int round = 0; round < 200; round++)
        {
            for (int i = 0; i < 5; i++)
                log.Append(BatchBuilder.Build(3, valueSize: 300), 0);
            log.TruncateTo(log.LogEndOffset - 7);
        }
        done.Cancel();
        await reader;

        Assert.Empty(failures);
    }
}
