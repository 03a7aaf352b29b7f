using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Storage.Tests.Cleaning;

/// <summary>A crash at every step of the swap (simulated by failing the step, then closing the files without a flush) leaves a log that reopens valid.</summary>
public sealed class CleanSwapCrashTests : IDisposable
{
    private const long Now = 1_000_000;
    private static readonly CleanerConfig Config = new() { MinCleanableDirtyRatio = 0, DeleteRetentionMs = 0 };
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 1024, IndexIntervalBytes = 128 });

    public void Dispose() => _builder.Dispose();

    private sealed class SimulatedCrash : Exception;

    /// <summary>Updates over 8 keys, with a tombstone for k3 and k5 after them; returns everything written.</summary>
    private static List<KeyedRecord> Fill(PartitionLog log)
    {
        var written = new List<KeyedRecord>();
        void Append(params (string? Key, string? Value)[] records)
        {
            long first = log.Append(KeyedLog.Batch(1_000, records), 0).FirstOffset;
            written.AddRange(records.Select((r, i) => new KeyedRecord(first + i, r.Key, r.Value)));
        }
        for (int i = 0; i < 120; i += 2)
            Append(($"k{i % 8}", $"v{i}"), ($"k{(i + 1) % 8}", $"v{i + 1}"));
        Append(("k3", null));
        Append(("k5", null));
        for (int i = 0; i < 40; i++)
            Append(($"k{i % 3}", $"w{i}"));
        return written;
    }

    /// <summary>How many steps a clean of this log takes (each one a place to crash).</summary>
    private int CountSteps()
    {
        using var builder = new LogBuilder(_builder.Config);
        using var log = builder.Open();
        Fill(log);
        int steps = 0;
        log.OnSwapStep = _ => steps++;
        Assert.True(log.Clean(Config, Now).Completed);
        return steps;
    }

    [Fact]
    public void A_crash_at_any_swap_step_reopens_to_a_valid_log_with_the_latest_value_of_every_key()
    {
        int steps = CountSteps();
        Assert.True(steps >= 4, $"only {steps} steps");
        for (int crashAt = 0; crashAt <= steps; crashAt++)
        {
            using var builder = new LogBuilder(_builder.Config);
            List<KeyedRecord> written;
            long logEnd;
            var log = builder.Open();
            written = Fill(log);
            logEnd = log.LogEndOffset;
            log.Flush();
            int step = 0;
            log.OnSwapStep = _ =>
            {
                if (step++ == crashAt)
                    throw new SimulatedCrash();
            };
            var plan = log.PlanClean(Config, Now);
            var prepared = log.PrepareClean(plan, Config, Now);
            if (crashAt < steps)
                Assert.Throws<SimulatedCrash>(() => log.CompleteClean(prepared));
            else
                log.CompleteClean(prepared);
            log.CloseWithoutFlush();

            using var reopened = builder.Open();
            Assert.Empty(Directory.GetFiles(builder.Directory, "*.cleaned"));
            Assert.Empty(Directory.GetFiles(builder.Directory, "*.swap"));
            Assert.Equal(logEnd, reopened.LogEndOffset);
            var read = KeyedLog.ReadAll(reopened); // every batch valid, offsets increasing
            Assert.All(read, r => Assert.Contains(r, written)); // each record at its original offset
            var latest = KeyedLog.LatestPerKey(written);
            Assert.All(latest.Where(r => r.Value is not null), r => Assert.Contains(r, read));
            // A deleted key never comes back with an older value: each key's last record is its latest one.
            Assert.All(read.GroupBy(r => r.Key), g => Assert.True(g.Last().Value is null ? latest.Any(l => l.Key == g.Key && l.Value is null) : latest.Contains(g.Last()),
                $"crash at step {crashAt}: key {g.Key} ends with {g.Last()}"));

            // Cleaning again finishes the job.
            reopened.Clean(Config, Now);
            var final = KeyedLog.ReadAll(reopened);
            long activeBase = reopened.Segments[^1].BaseOffset;
            Assert.Equal(final.Where(r => r.Offset < activeBase).Select(r => r.Key).Distinct().Count(), final.Count(r => r.Offset < activeBase));
        }
    }

    [Fact]
    public void Open_completes_a_committed_swap_and_rebuilds_the_index_that_had_not_been_moved()
    {
        using var log = _builder.Open();
        var written = Fill(log);
        log.Flush();
        int steps = 0;
        log.OnSwapStep = step =>
        {
            if (step == "replace" && steps++ == 0)
            {
                // Crash inside the first replace, after the .index moved but before the .log did.
                var base0 = log.Segments[0].BaseOffset;
                File.Move(Path.Combine(_builder.Directory, LogSegment.FileName(base0, ".index.swap")), Path.Combine(_builder.Directory, LogSegment.FileName(base0, ".index")), true);
                throw new SimulatedCrash();
            }
        };
        var prepared = log.PrepareClean(log.PlanClean(Config, Now), Config, Now);
        Assert.Throws<SimulatedCrash>(() => log.CompleteClean(prepared));
        log.CloseWithoutFlush();

        using var reopened = _builder.Open();

        Assert.Contains(reopened.Recovery.Notes, n => n.Contains("Completed the swap"));
        Assert.Contains(reopened.Recovery.IndexesRebuilt, p => p.EndsWith(LogSegment.FileName(0, ".index")));
        Assert.All(KeyedLog.ReadAll(reopened), r => Assert.Contains(r, written));
    }
}
