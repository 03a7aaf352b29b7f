namespace ActorBroker.Storage.Tests;

public sealed class TruncateTests : IDisposable
{
    private static readonly int BatchSize = BatchBuilder.Build(5).Length;
    private readonly LogBuilder _builder = new(new LogConfig { IndexIntervalBytes = 1 });

    public void Dispose() => _builder.Dispose();

    [Fact]
    public void Truncate_at_a_batch_boundary_drops_everything_from_that_offset()
    {
        using var log = _builder.OpenWith(5, 5, 5);
        log.TruncateTo(10);
        Assert.Equal(10, log.LogEndOffset);
        Assert.Equal(2L * BatchSize, log.SizeInBytes);
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(11, 1000, true));
        Assert.Equal(10, log.Append(BatchBuilder.Build(1), 0).FirstOffset);
    }

    [Fact]
    public void Truncate_inside_a_batch_drops_the_whole_batch_containing_it()
    {
        using var log = _builder.OpenWith(5, 5, 5);
        log.TruncateTo(7);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal([0L], BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Select(b => b.BaseOffset));
        Assert.Equal(5, log.Append(BatchBuilder.Build(2), 0).FirstOffset);
        Assert.Equal(5, BatchBuilder.Split(log.Read(6, 1, true).Records).Single().BaseOffset);
    }

    [Fact]
    public void Truncate_at_or_beyond_the_log_end_does_nothing()
    {
        using var log = _builder.OpenWith(5);
        log.TruncateTo(5);
        log.TruncateTo(50);
        Assert.Equal(5, log.LogEndOffset);
    }

    [Fact]
    public void Truncate_deletes_later_segments_and_lowers_the_recovery_point()
    {
        _builder.Config = new LogConfig { SegmentBytes = 2 * BatchSize };
        using var log = _builder.OpenWith(5, 5, 5, 5, 5, 5);
        log.Flush();
        Assert.Equal(3, log.SegmentCount);

        log.TruncateTo(12);

        Assert.Equal(10, log.LogEndOffset);
        Assert.Equal(10, log.RecoveryPoint);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(["00000000000000000000.log", "00000000000000000010.log"], _builder.LogFiles().Select(Path.GetFileName));
        Assert.Equal("0\n10\n", File.ReadAllText(Path.Combine(_builder.Directory, "recovery-point")));
        Assert.Equal(10, log.Append(BatchBuilder.Build(5), 0).FirstOffset);
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void Truncation_survives_reopen()
    {
        using (var log = _builder.OpenWith(5, 5, 5))
            log.TruncateTo(5);
        using var reopened = _builder.Open();
        Assert.Equal(5, reopened.LogEndOffset);
        Assert.True(reopened.Recovery.IsClean);
    }

    [Fact]
    public void Truncate_to_zero_empties_the_log()
    {
        using var log = _builder.OpenWith(5, 5);
        log.TruncateTo(0);
        Assert.Equal((0L, 0L, 0L), (log.LogStartOffset, log.LogEndOffset, log.SizeInBytes));
        Assert.True(log.Read(0, 100, true).Records.IsEmpty);
    }

    [Fact]
    public void Truncate_below_the_log_start_restarts_the_log_empty_at_that_offset()
    {
        Directory.CreateDirectory(_builder.Directory);
        File.WriteAllBytes(Path.Combine(_builder.Directory, "00000000000000000100.log"), []);
        using var log = _builder.OpenWith(5);
        log.TruncateTo(50);
        Assert.Equal((50L, 50L), (log.LogStartOffset, log.LogEndOffset));
        Assert.Equal(["00000000000000000050.log"], _builder.LogFiles().Select(Path.GetFileName));
        Assert.Equal(50, log.Append(BatchBuilder.Build(1), 0).FirstOffset);
    }
}
