using System.Buffers.Binary;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Tests;

public sealed class PartitionLogTests : IDisposable
{
    private readonly LogBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    [Fact]
    public void New_log_is_empty_and_starts_at_offset_zero_in_a_20_digit_segment()
    {
        using var log = _builder.Open();
        Assert.Equal(0, log.LogStartOffset);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(0, log.SizeInBytes);
        Assert.Equal("00000000000000000000.log", Path.GetFileName(Assert.Single(_builder.LogFiles())));
        Assert.Equal("00000000000000000000.index", Path.GetFileName(Assert.Single(_builder.IndexFiles())));
    }

    [Fact]
    public void Append_assigns_consecutive_offsets_across_batches_with_many_records()
    {
        using var log = _builder.Open();
        var first = log.Append(BatchBuilder.Build(5), 0);
        Assert.Equal(new AppendResult(0, 4, 1, 5), first);

        var several = BatchBuilder.Concat(BatchBuilder.Build(1), BatchBuilder.Build(100), BatchBuilder.Build(3));
        var result = log.Append(several, 0);
        Assert.Equal(new AppendResult(5, 108, 3, 109), result);
        Assert.Equal(109, log.LogEndOffset);

        var stored = BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records);
        Assert.Equal([0L, 5, 6, 106], stored.Select(b => b.BaseOffset));
        Assert.Equal([4L, 5, 105, 108], stored.Select(b => b.LastOffset));
    }

    [Fact]
    public void Append_stamps_base_offset_and_leader_epoch_in_place_and_the_crc_stays_valid()
    {
        using var log = _builder.OpenWith(10);
        var bytes = BatchBuilder.Concat(BatchBuilder.Build(2), BatchBuilder.Build(3));
        log.Append(bytes, leaderEpoch: 7);

        var batches = BatchBuilder.Split(bytes);
        Assert.Equal([10L, 12], batches.Select(b => b.BaseOffset));
        Assert.All(batches, b => Assert.Equal(7, b.PartitionLeaderEpoch));
        Assert.All(batches, b => Assert.True(b.IsCrcValid));
        Assert.Equal(bytes, log.Read(10, int.MaxValue, true).Records.ToArray());
    }

    [Fact]
    public void Append_with_a_bad_crc_batch_is_rejected_and_nothing_is_written_or_stamped()
    {
        using var log = _builder.OpenWith(4);
        long sizeBefore = log.SizeInBytes;
        var good = BatchBuilder.Build(2);
        var bad = BatchBuilder.Build(2);
        bad[^1] ^= 0xFF;
        var buffer = BatchBuilder.Concat(good, bad);

        var error = Assert.Throws<InvalidRecordBatchException>(() => log.Append(buffer, 3));

        Assert.Equal(BatchCheck.CrcMismatch, error.Check);
        Assert.Equal(1, error.BatchIndex);
        Assert.Equal(good.Length, error.Position);
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(sizeBefore, log.SizeInBytes);
        Assert.Equal(0, BinaryPrimitives.ReadInt64BigEndian(buffer)); // not stamped
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(12)));
    }

    [Fact]
    public void Append_rejects_an_empty_buffer_and_a_truncated_batch()
    {
        using var log = _builder.Open();
        Assert.Equal(BatchCheck.Incomplete, Assert.Throws<InvalidRecordBatchException>(() => log.Append(Array.Empty<byte>(), 0)).Check);
        var torn = BatchBuilder.Build(3)[..^5];
        Assert.Equal(BatchCheck.Incomplete, Assert.Throws<InvalidRecordBatchException>(() => log.Append(torn, 0)).Check);
        var wrongMagic = BatchBuilder.Build(3);
        wrongMagic[16] = 1;
        Assert.Equal(BatchCheck.UnsupportedMagic, Assert.Throws<InvalidRecordBatchException>(() => log.Append(wrongMagic, 0)).Check);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(0, log.SizeInBytes);
    }

    [Fact]
    public void Read_of_a_mid_batch_offset_returns_the_batch_containing_it()
    {
        using var log = _builder.OpenWith(10, 10, 10);
        var batches = BatchBuilder.Split(log.Read(15, int.MaxValue, true).Records);
        Assert.Equal([10L, 20], batches.Select(b => b.BaseOffset));
        Assert.Equal(0, log.Read(15, 1, true).LogStartOffset);
        Assert.Equal(30, log.Read(15, 1, true).LogEndOffset);
    }

    [Fact]
    public void Read_at_the_log_end_returns_no_records()
    {
        using var log = _builder.OpenWith(3);
        var result = log.Read(3, 1000, true);
        Assert.True(result.Records.IsEmpty);
        Assert.Equal(3, result.LogEndOffset);
    }

    [Fact]
    public void Read_below_the_log_start_or_beyond_the_log_end_throws_offset_out_of_range()
    {
        // A log whose first segment starts at 100, as after retention deleted older segments.
        Directory.CreateDirectory(_builder.Directory);
        File.WriteAllBytes(Path.Combine(_builder.Directory, "00000000000000000100.log"), []);
        using var log = _builder.OpenWith(3);
        Assert.Equal((100L, 103L), (log.LogStartOffset, log.LogEndOffset));

        var above = Assert.Throws<OffsetOutOfRangeException>(() => log.Read(104, 1000, true));
        Assert.Equal((104L, 100L, 103L), (above.RequestedOffset, above.LogStartOffset, above.LogEndOffset));
        var below = Assert.Throws<OffsetOutOfRangeException>(() => log.Read(99, 1000, true));
        Assert.Equal((99L, 100L, 103L), (below.RequestedOffset, below.LogStartOffset, below.LogEndOffset));
        Assert.Equal(100, BatchBuilder.Split(log.Read(100, 1000, true).Records)[0].BaseOffset);
    }

    [Fact]
    public void Read_returns_whole_batches_up_to_max_bytes()
    {
        using var log = _builder.OpenWith(5, 5, 5, 5);
        int batchSize = BatchBuilder.Build(5).Length;

        Assert.Equal(2, BatchBuilder.Split(log.Read(0, 2 * batchSize, false).Records).Count);
        Assert.Equal(2, BatchBuilder.Split(log.Read(0, 3 * batchSize - 1, false).Records).Count);
        Assert.Equal(4, BatchBuilder.Split(log.Read(0, 100 * batchSize, false).Records).Count);
    }

    [Fact]
    public void Read_with_min_one_batch_returns_a_first_batch_bigger_than_max_bytes_and_without_it_returns_nothing()
    {
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(50, valueSize: 100), 0);
        log.Append(BatchBuilder.Build(1), 0);

        var one = BatchBuilder.Split(log.Read(10, 100, minOneBatch: true).Records);
        Assert.Equal(0, Assert.Single(one).BaseOffset);
        Assert.True(log.Read(10, 100, minOneBatch: false).Records.IsEmpty);
    }

    [Fact]
    public void Flush_moves_the_recovery_point_to_the_log_end_and_checkpoints_it()
    {
        using var log = _builder.OpenWith(3);
        Assert.Equal(0, log.RecoveryPoint);
        log.Append(BatchBuilder.Build(4), 0);
        log.Flush();
        Assert.Equal(7, log.RecoveryPoint);
        Assert.Equal("0\n7\n", File.ReadAllText(Path.Combine(_builder.Directory, "recovery-point")));
    }

    [Fact]
    public void Reopen_after_dispose_restores_the_log_end_offset_and_the_data()
    {
        byte[] before;
        using (var log = _builder.OpenWith(3, 7, 2))
            before = log.Read(0, int.MaxValue, true).Records.ToArray();

        using var reopened = _builder.Open();
        Assert.Equal(12, reopened.LogEndOffset);
        Assert.Equal(12, reopened.RecoveryPoint);
        Assert.True(reopened.Recovery.IsClean);
        Assert.Equal(before, reopened.Read(0, int.MaxValue, true).Records.ToArray());
        Assert.Equal(12, reopened.Append(BatchBuilder.Build(1), 0).FirstOffset);
    }

    [Fact]
    public void Dispose_is_idempotent_and_later_calls_throw()
    {
        var log = _builder.OpenWith(1);
        log.Dispose();
        log.Dispose();
        Assert.Throws<ObjectDisposedException>(() => log.Read(0, 100, true));
        Assert.Throws<ObjectDisposedException>(() => log.Append(BatchBuilder.Build(1), 0));
    }

    [Fact]
    public void Log_directory_name_is_topic_dash_partition()
    {
        Assert.Equal("orders-3", LogDirectoryName.For("orders", 3));
        Assert.True(LogDirectoryName.TryParse("my-topic-12", out var topic, out int partition));
        Assert.Equal(("my-topic", 12), (topic, partition));
        Assert.False(LogDirectoryName.TryParse("nodash", out _, out _));
    }
}
