namespace ActorBroker.Storage.Tests;

/// <summary>
/// <see cref="PartitionLog.ReadFileSlice"/>: whole batches as a range of one segment file, for sending with sendfile(2);
/// the bytes in the range are the bytes <see cref="PartitionLog.Read"/> returns.
/// </summary>
public sealed class FileSliceReadTests : IDisposable
{
    private static readonly int BatchSize = BatchBuilder.Build(4).Length;
    private readonly LogBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    private static byte[] BytesOf(LogFileSlice slice)
    {
        var bytes = new byte[slice.Length];
        RandomAccess.Read(slice.File.SafeFileHandle, bytes, slice.Position);
        return bytes;
    }

    [Fact]
    public void A_slice_from_an_offset_holds_the_same_bytes_as_a_read_up_to_the_log_end()
    {
        using var log = _builder.OpenWith(4, 4, 4, 4);

        var slice = log.ReadFileSlice(6, maxBytes: 1 << 20);

        Assert.NotNull(slice);
        Assert.Equal(BatchSize, slice.Position);
        Assert.Equal(3 * BatchSize, slice.Length);
        Assert.Equal(log.Read(6, 1 << 20, minOneBatch: true).Records.ToArray(), BytesOf(slice));
        Assert.True(slice.IsIntact);
    }

    [Fact]
    public void A_slice_longer_than_max_bytes_ends_at_the_last_indexed_batch_start_within_it()
    {
        _builder.Config = new LogConfig { IndexIntervalBytes = 1 }; // every batch indexed
        using var log = _builder.OpenWith(4, 4, 4, 4, 4);

        var slice = log.ReadFileSlice(0, maxBytes: 2 * BatchSize + BatchSize / 2);

        Assert.NotNull(slice);
        Assert.Equal(0, slice.Position);
        Assert.Equal(2 * BatchSize, slice.Length);
        Assert.Equal(8, BatchBuilder.Split(BytesOf(slice)).Sum(b => b.RecordCount));
    }

    [Fact]
    public void Nothing_to_read_or_a_first_batch_bigger_than_max_bytes_gives_no_slice()
    {
        using var log = _builder.OpenWith(4, 4);

        Assert.Null(log.ReadFileSlice(8, maxBytes: 1 << 20));
        Assert.Null(log.ReadFileSlice(0, maxBytes: BatchSize - 1));
        Assert.Throws<OffsetOutOfRangeException>(() => log.ReadFileSlice(9, maxBytes: 1 << 20));
    }

    [Fact]
    public void A_slice_stays_within_the_segment_holding_its_first_offset()
    {
        _builder.Config = new LogConfig { SegmentBytes = 2 * BatchSize };
        using var log = _builder.OpenWith(4, 4, 4, 4);
        Assert.Equal(2, log.Segments.Count);

        var slice = log.ReadFileSlice(0, maxBytes: 1 << 20);

        Assert.NotNull(slice);
        Assert.Equal(2 * BatchSize, slice.Length);
        Assert.Equal(log.Read(0, 2 * BatchSize, minOneBatch: true).Records.ToArray(), BytesOf(slice));
    }

    [Fact]
    public void A_slice_is_no_longer_intact_once_the_log_truncates_or_closes()
    {
        using (var log = _builder.OpenWith(4, 4, 4))
        {
            var slice = log.ReadFileSlice(4, maxBytes: 1 << 20)!;
            log.Append(BatchBuilder.Build(4), leaderEpoch: 0);
            Assert.True(slice.IsIntact); // appends leave the bytes in the range as they are

            log.TruncateTo(6);
            Assert.False(slice.IsIntact);

            var after = log.ReadFileSlice(0, maxBytes: 1 << 20)!;
            Assert.True(after.IsIntact);
            log.Dispose();
            Assert.False(after.IsIntact);
        }
    }
}
