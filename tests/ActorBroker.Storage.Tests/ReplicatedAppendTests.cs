namespace ActorBroker.Storage.Tests;

public sealed class ReplicatedAppendTests : IDisposable
{
    private readonly LogBuilder _leaderDir = new();
    private readonly LogBuilder _followerDir = new();

    public void Dispose()
    {
        _leaderDir.Dispose();
        _followerDir.Dispose();
    }

    [Fact]
    public void A_follower_append_keeps_the_leaders_offsets_epochs_and_bytes()
    {
        using var leader = _leaderDir.Open();
        leader.Append(BatchBuilder.Build(3), leaderEpoch: 4);
        leader.Append(BatchBuilder.Build(2), leaderEpoch: 6);
        var copied = leader.Read(0, int.MaxValue, minOneBatch: true).Records.ToArray();

        using var follower = _followerDir.Open();
        var result = follower.AppendReplicated(copied.ToArray());

        Assert.Equal(new AppendResult(0, 4, 2, 5), result);
        Assert.Equal(copied, follower.Read(0, int.MaxValue, minOneBatch: true).Records.ToArray());
        Assert.Equal(6, follower.LastBatchEpoch());
    }

    [Fact]
    public void A_follower_append_that_does_not_continue_the_log_is_rejected_and_writes_nothing()
    {
        using var leader = _leaderDir.Open();
        leader.Append(BatchBuilder.Build(3), leaderEpoch: 1);
        leader.Append(BatchBuilder.Build(2), leaderEpoch: 1);
        var second = leader.Read(3, 0, minOneBatch: true).Records.ToArray();

        using var follower = _followerDir.Open();
        var error = Assert.Throws<InvalidRecordBatchException>(() => follower.AppendReplicated(second));

        Assert.Contains("starts at offset 3, but the log continues at 0", error.Message);
        Assert.Equal(0, follower.LogEndOffset);
        Assert.Equal(0, follower.SizeInBytes);
    }

    [Fact]
    public void A_read_bounded_by_the_high_watermark_returns_only_the_batches_below_it()
    {
        using var log = _leaderDir.Open();
        log.Append(BatchBuilder.Build(3), 0);
        log.Append(BatchBuilder.Build(2), 0);

        var below = BatchBuilder.Split(log.Read(0, int.MaxValue, minOneBatch: true, maxOffset: 3).Records);

        Assert.Equal([0L], below.Select(b => b.BaseOffset));
        Assert.True(log.Read(3, int.MaxValue, minOneBatch: true, maxOffset: 3).Records.IsEmpty);
        Assert.Equal(5, log.Read(3, int.MaxValue, minOneBatch: true, maxOffset: 5).LogEndOffset);
    }

    [Fact]
    public void An_empty_log_has_no_last_batch_epoch()
    {
        using var log = _leaderDir.Open();
        Assert.Equal(-1, log.LastBatchEpoch());
    }
}
