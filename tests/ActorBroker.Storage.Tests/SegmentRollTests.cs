namespace ActorBroker.Storage.Tests;

public sealed class SegmentRollTests : IDisposable
{
    private static readonly int BatchSize = BatchBuilder.Build(4).Length;
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 3 * BatchBuilder.Build(4).Length, IndexIntervalBytes = 1 });

    public void Dispose() => _builder.Dispose();

    [Fact]
    public void Append_rolls_a_new_segment_before_a_batch_that_would_exceed_segment_bytes()
    {
        using var log = _builder.OpenWith(4, 4, 4, 4, 4, 4, 4);
        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(
            ["00000000000000000000.log", "00000000000000000012.log", "00000000000000000024.log"],
            _builder.LogFiles().Select(Path.GetFileName));
        Assert.Equal(7L * BatchSize, log.SizeInBytes);
        Assert.Equal(28, log.LogEndOffset);
    }

    [Fact]
    public void One_append_of_many_batches_is_split_across_segments()
    {
        using var log = _builder.Open();
        var result = log.Append(BatchBuilder.Concat(Enumerable.Range(0, 7).Select(_ => BatchBuilder.Build(4)).ToArray()), 0);
        Assert.Equal(new AppendResult(0, 27, 7, 28), result);
        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => 4L * i), BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Select(b => b.BaseOffset));
    }

    [Fact]
    public void A_batch_bigger_than_segment_bytes_goes_alone_into_a_fresh_segment()
    {
        using var log = _builder.OpenWith(4);
        var big = BatchBuilder.Build(40, valueSize: 50);
        Assert.True(big.Length > _builder.Config.SegmentBytes);
        log.Append(big, 0);
        log.Append(BatchBuilder.Build(4), 0);

        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(
            ["00000000000000000000.log", "00000000000000000004.log", "00000000000000000044.log"],
            _builder.LogFiles().Select(Path.GetFileName));
        Assert.Equal(big.Length, new FileInfo(_builder.LogFiles()[1]).Length);
        Assert.Equal(4, BatchBuilder.Split(log.Read(20, 10, minOneBatch: true).Records).Single().BaseOffset);
    }

    [Fact]
    public void Read_continues_across_segment_boundaries_while_under_max_bytes()
    {
        using var log = _builder.OpenWith(4, 4, 4, 4, 4, 4, 4);

        var all = BatchBuilder.Split(log.Read(5, int.MaxValue, true).Records);
        Assert.Equal([4L, 8, 12, 16, 20, 24], all.Select(b => b.BaseOffset));

        var limited = BatchBuilder.Split(log.Read(9, 3 * BatchSize, false).Records);
        Assert.Equal([8L, 12, 16], limited.Select(b => b.BaseOffset));

        var tooSmall = BatchBuilder.Split(log.Read(9, BatchSize - 1, true).Records);
        Assert.Equal(8, Assert.Single(tooSmall).BaseOffset);
    }

    [Fact]
    public void Append_rolls_when_the_offset_index_is_full()
    {
        _builder.Config = new LogConfig { IndexIntervalBytes = 0, SegmentIndexBytes = 2 * 8 };
        using var log = _builder.OpenWith(1, 1, 1, 1, 1);
        Assert.Equal(3, log.SegmentCount); // two indexed batches per segment
        Assert.All(_builder.IndexFiles()[..2], f => Assert.Equal(16, new FileInfo(f).Length));
        for (long offset = 0; offset < 5; offset++)
            Assert.Equal(offset, BatchBuilder.Split(log.Read(offset, 1, true).Records).Single().BaseOffset);
    }

    [Fact]
    public void Reopen_with_several_segments_restores_all_of_them()
    {
        using (_builder.OpenWith(4, 4, 4, 4, 4, 4, 4)) { }
        using var log = _builder.Open();
        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(28, log.LogEndOffset);
        Assert.Equal(1, log.Recovery.SegmentsScanned); // only the active one: the others end below the recovery point
        Assert.Equal(7, BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Count);
    }
}
