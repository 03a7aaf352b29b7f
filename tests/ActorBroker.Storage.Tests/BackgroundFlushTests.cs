namespace ActorBroker.Storage.Tests;

/// <summary>The timed flush off the writer thread: what it makes durable and which checkpoints it may move.</summary>
public sealed class BackgroundFlushTests : IDisposable
{
    private readonly LogBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    private string Checkpoint(string name) => File.ReadAllText(Path.Combine(_builder.Directory, name));

    [Fact]
    public async Task A_background_flush_moves_the_recovery_point_to_the_log_end_it_started_at_and_checkpoints_the_high_watermark()
    {
        using var log = _builder.OpenWith(3);
        log.Append(BatchBuilder.Build(4), 0);
        var flush = log.FlushInBackground(highWatermark: 5);
        log.Append(BatchBuilder.Build(2), 0); // appends go on while it runs
        await flush;

        Assert.Equal(7, log.RecoveryPoint);
        Assert.Equal("0\n7\n", Checkpoint("recovery-point"));
        Assert.Equal("0\n5\n", Checkpoint("high-watermark"));
        log.Flush(); // the records appended meanwhile are flushed by the next flush
        Assert.Equal(9, log.RecoveryPoint);
    }

    [Fact]
    public async Task A_background_flush_never_checkpoints_a_high_watermark_above_the_log_end_it_started_at()
    {
        using var log = _builder.OpenWith(3);
        await log.FlushInBackground(highWatermark: 50);
        Assert.Equal(3, log.CheckpointedHighWatermark);
    }

    [Fact]
    public async Task A_background_flush_that_finishes_after_a_truncation_leaves_the_checkpoints_the_truncation_wrote()
    {
        using var log = _builder.OpenWith(5, 5);
        log.Flush();
        log.CheckpointHighWatermark(10);
        log.Append(BatchBuilder.Build(5), 0);
        var flush = log.FlushInBackground(highWatermark: 15);
        log.TruncateTo(5);
        await flush;

        // Whichever ran first, the checkpoints end at or below the truncation point: never vouching for cut records.
        Assert.True(log.RecoveryPoint <= 5, $"recovery point {log.RecoveryPoint}");
        Assert.True(log.CheckpointedHighWatermark <= 5, $"high watermark {log.CheckpointedHighWatermark}");
        Assert.True(long.Parse(Checkpoint("recovery-point").Split('\n')[1]) <= 5);
        Assert.True(long.Parse(Checkpoint("high-watermark").Split('\n')[1]) <= 5);
    }

    [Fact]
    public async Task Disposing_the_log_while_a_background_flush_runs_loses_nothing_that_was_appended()
    {
        Task flush;
        using (var log = _builder.OpenWith(4, 4))
        {
            log.Append(BatchBuilder.Build(4), 0);
            flush = log.FlushInBackground(highWatermark: 12);
        }
        await flush;
        using var reopened = _builder.Open();
        Assert.Equal(12, reopened.LogEndOffset);
        Assert.True(reopened.Recovery.IsClean);
    }

    [Fact]
    public async Task A_checkpoint_written_on_the_writer_thread_while_a_background_flush_syncs_its_own_is_not_overwritten_by_it()
    {
        using var log = _builder.OpenWith(10);
        var group = new GroupSync();
        using var checkpointRound = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        group.BeforeRound = round =>
        {
            if (round != 2) // the first round flushes the segments, the second the prepared checkpoints
                return;
            checkpointRound.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        };
        var flush = log.FlushInBackground(highWatermark: 4, group);
        Assert.True(checkpointRound.Wait(TimeSpan.FromSeconds(10)));
        log.CheckpointHighWatermark(9); // newer than the flush's 4
        release.Set();
        await flush;

        Assert.Equal("0\n9\n", Checkpoint("high-watermark"));
        Assert.Equal(9, log.CheckpointedHighWatermark);
        Assert.Empty(System.IO.Directory.GetFiles(_builder.Directory, "*.tmp"));
    }

    [Fact]
    public async Task Background_flushes_of_several_logs_sharing_a_group_each_checkpoint_their_own_log_end()
    {
        using var second = new LogBuilder();
        using var first = _builder.OpenWith(3);
        using var other = second.OpenWith(5, 2);
        var group = new GroupSync();
        await Task.WhenAll(first.FlushInBackground(3, group), other.FlushInBackground(6, group));

        Assert.Equal(3, first.RecoveryPoint);
        Assert.Equal(7, other.RecoveryPoint);
        Assert.Equal("0\n3\n", Checkpoint("recovery-point"));
        Assert.Equal("0\n7\n", File.ReadAllText(Path.Combine(second.Directory, "recovery-point")));
        Assert.Equal("0\n6\n", File.ReadAllText(Path.Combine(second.Directory, "high-watermark")));
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_put_in_place_fails_the_flush_and_leaves_no_temp_file_of_the_others()
    {
        using var log = _builder.OpenWith(3);
        var blocked = Path.Combine(_builder.Directory, "recovery-point");
        File.Delete(blocked);
        System.IO.Directory.CreateDirectory(blocked); // a rename over a non-empty directory fails
        File.WriteAllText(Path.Combine(blocked, "keep"), "");

        try
        {
            await Assert.ThrowsAnyAsync<IOException>(() => log.FlushInBackground(highWatermark: 3));
            Assert.Empty(System.IO.Directory.GetFiles(_builder.Directory, "*.tmp"));
        }
        finally
        {
            System.IO.Directory.Delete(blocked, recursive: true); // lets closing the log write its checkpoints
        }
    }

    [Fact]
    public void Opening_a_log_removes_checkpoint_temp_files_a_crash_during_a_background_flush_left()
    {
        using (var log = _builder.OpenWith(3))
            log.Flush();
        foreach (string name in new[] { "recovery-point.flush.tmp", "high-watermark.flush.tmp", "high-watermark.tmp" })
            File.WriteAllText(Path.Combine(_builder.Directory, name), "0\n99");

        using var reopened = _builder.Open();
        Assert.Empty(System.IO.Directory.GetFiles(_builder.Directory, "*.tmp"));
        Assert.Equal(3, reopened.RecoveryPoint);
    }
}
