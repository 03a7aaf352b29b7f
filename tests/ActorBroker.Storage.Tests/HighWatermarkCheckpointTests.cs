namespace ActorBroker.Storage.Tests;

public sealed class HighWatermarkCheckpointTests : IDisposable
{
    private readonly LogBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    [Fact]
    public void A_checkpointed_high_watermark_survives_reopening_the_log()
    {
        using (var log = _builder.OpenWith(5, 5, 5))
        {
            Assert.Equal(0, log.CheckpointedHighWatermark);
            log.CheckpointHighWatermark(10);
        }
        using var reopened = _builder.Open();
        Assert.Equal(10, reopened.CheckpointedHighWatermark);
        Assert.Equal("0\n10\n", File.ReadAllText(Path.Combine(_builder.Directory, "high-watermark")));
    }

    [Fact]
    public void The_checkpointed_high_watermark_never_exceeds_the_log_end()
    {
        using var log = _builder.OpenWith(5);
        log.CheckpointHighWatermark(50);
        Assert.Equal(5, log.CheckpointedHighWatermark);
    }

    [Fact]
    public void Truncating_below_the_checkpointed_high_watermark_lowers_it_so_a_later_leader_never_vouches_for_records_that_were_cut()
    {
        using (var log = _builder.OpenWith(5, 5, 5))
        {
            log.CheckpointHighWatermark(15);
            log.TruncateTo(5);
            log.Append(BatchBuilder.Build(10), leaderEpoch: 1); // a new leader's records at 5..14
            Assert.Equal(5, log.CheckpointedHighWatermark);
        }
        using var reopened = _builder.Open();
        Assert.Equal(5, reopened.CheckpointedHighWatermark);
    }

    [Fact]
    public void An_unreadable_checkpoint_counts_as_the_log_start()
    {
        using (_builder.OpenWith(5)) { }
        File.WriteAllText(Path.Combine(_builder.Directory, "high-watermark"), "garbage");
        using var log = _builder.Open();
        Assert.Equal(0, log.CheckpointedHighWatermark);
    }
}
