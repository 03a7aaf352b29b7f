using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Storage.Tests.Cleaning;

public sealed class CleaningConcurrencyTests : IDisposable
{
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 2048, IndexIntervalBytes = 256 });

    public void Dispose() => _builder.Dispose();

    [Fact]
    public async Task Readers_and_appends_racing_cleans_see_whole_batches_at_unchanged_offsets()
    {
        var config = new CleanerConfig { MinCleanableDirtyRatio = 0.2, DeleteRetentionMs = 0 };
        using var log = _builder.Open();

        // Record n has key k(n % 20) and value "n": a reader can check every record sits at the offset it was written to.
        var readers = new ReaderPool(2, random =>
        {
            long start = random.Next(0, (int)Math.Max(1, log.LogEndOffset));
            var result = log.Read(start, random.Next(100, 20_000), minOneBatch: true);
            long previous = -1;
            foreach (var batch in BatchBuilder.Split(result.Records)) // throws on a torn or corrupt batch
            {
                foreach (var record in batch.EnumerateRecords())
                {
                    string value = System.Text.Encoding.UTF8.GetString(record.Value!.Value.Span);
                    if (value != record.Offset.ToString() || record.Offset <= previous)
                        return $"record '{value}' at offset {record.Offset} after {previous}";
                    previous = record.Offset;
                }
            }
            return null;
        });

        int cleans = 0;
        Task<PreparedClean>? cleaning = null;
        // At least 300 rounds, and on until three cleans have completed: a loaded machine may finish a clean only
        // after many appends, and the test must not race that (the bound stops a cleaner that never finishes).
        for (int round = 0; round < 300 || (cleans < 3 && round < 20_000); round++)
        {
            long next = log.LogEndOffset;
            var records = Enumerable.Range(0, 4).Select(i => ((string?)$"k{(next + i) % 20}", (string?)(next + i).ToString())).ToArray();
            log.Append(KeyedLog.Batch(1_000, records), 0);
            if (cleaning is { IsCompleted: true })
            {
                log.CompleteClean(await cleaning);
                cleans++;
                cleaning = null;
            }
            if (cleaning is null && log.PlanClean(config, 1_000_000) is { Due: true } plan)
                cleaning = Task.Run(() => log.PrepareClean(plan, config, 1_000_000));
            Thread.Sleep(1); // lets cleans finish between appends, as the partition actor's appends do
        }
        if (cleaning is not null)
        {
            log.CompleteClean(await cleaning);
            cleans++;
        }
        await readers.StopAsync();

        Assert.Empty(readers.Failures);
        Assert.True(cleans > 1, $"{cleans} cleans");
        Assert.True(readers.Reads > 0);
        log.Clean(config with { MinCleanableDirtyRatio = 0 }, 1_000_000);
        long activeBase = log.Segments[^1].BaseOffset;
        Assert.Equal(20, KeyedLog.ReadAll(log).Count(r => r.Offset < activeBase));
    }
}
