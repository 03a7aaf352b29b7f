using ActorBroker.Cluster.Replication;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Tests.Replication;

public class LeaderReplicationTests
{
    private static readonly PartitionAssignment ThreeReplicas = new([1, 2, 3], 1, 5, [1, 2, 3]);

    [Fact]
    public void A_sole_in_sync_replica_has_its_log_end_as_high_watermark()
    {
        var state = LeaderReplication.Start(1, new PartitionAssignment([1], 1, 0, [1]), logEnd: 40, initialHighWatermark: 0, nowMs: 0);

        Assert.Equal(40, state.HighWatermark);
        Assert.Equal(41, state.Advance(41).HighWatermark);
    }

    [Fact]
    public void The_high_watermark_is_the_smallest_log_end_of_the_isr_and_never_moves_back()
    {
        var state = LeaderReplication.Start(1, ThreeReplicas, logEnd: 100, initialHighWatermark: 60, nowMs: 0);
        Assert.Equal(60, state.HighWatermark);

        state = state.OnFollowerFetch(2, 100, 100, 10);
        Assert.Equal(60, state.HighWatermark); // follower 3 has not fetched yet
        state = state.OnFollowerFetch(3, 80, 100, 10);
        Assert.Equal(80, state.HighWatermark);
        state = state.OnFollowerFetch(3, 70, 100, 20); // a follower that truncated does not pull the watermark back
        Assert.Equal(80, state.HighWatermark);
    }

    [Fact]
    public void A_follower_outside_the_isr_does_not_hold_the_high_watermark_back()
    {
        var state = LeaderReplication.Start(1, ThreeReplicas with { Isr = [1, 2] }, 100, 0, 0)
            .OnFollowerFetch(2, 100, 100, 5)
            .OnFollowerFetch(3, 10, 100, 5);

        Assert.Equal(100, state.HighWatermark);
        Assert.Empty(state.CaughtUpOutOfSyncFollowers());
        Assert.Equal([3], state.OnFollowerFetch(3, 100, 100, 6).CaughtUpOutOfSyncFollowers().ToArray());
    }

    [Fact]
    public void A_follower_that_keeps_reaching_the_previous_log_end_under_steady_produce_stays_in_sync()
    {
        var state = LeaderReplication.Start(1, ThreeReplicas with { Isr = [1, 2] }, 100, 100, 0);
        for (long t = 1_000, end = 110; t <= 60_000; t += 1_000, end += 10)
            state = state.OnFollowerFetch(2, end - 10, end, t); // always one fetch behind the moving log end

        Assert.Empty(state.LaggingIsrFollowers(60_000, lagMaxMs: 30_000));
    }

    [Fact]
    public void A_follower_that_stops_fetching_lags_after_the_lag_time()
    {
        var state = LeaderReplication.Start(1, ThreeReplicas, 100, 100, nowMs: 0)
            .OnFollowerFetch(2, 100, 100, 1_000)
            .OnFollowerFetch(3, 100, 100, 1_000);

        Assert.Empty(state.LaggingIsrFollowers(30_000, 30_000));
        Assert.Equal([2, 3], state.LaggingIsrFollowers(31_001, 30_000).ToArray());
        Assert.Equal([3], state.OnFollowerFetch(2, 100, 100, 31_000).LaggingIsrFollowers(31_001, 30_000).ToArray());
    }

    [Fact]
    public void Shrinking_the_isr_lets_the_high_watermark_advance_past_the_removed_follower()
    {
        var state = LeaderReplication.Start(1, ThreeReplicas, 100, 50, 0)
            .OnFollowerFetch(2, 100, 100, 1)
            .OnFollowerFetch(3, 50, 100, 1);
        Assert.Equal(50, state.HighWatermark);

        Assert.Equal(100, state.WithIsr([1, 2], 100).HighWatermark);
    }

    [Fact]
    public void A_reassignment_adds_a_follower_that_must_catch_up_before_joining_the_isr_and_forgets_removed_ones()
    {
        var state = LeaderReplication.Start(1, ThreeReplicas, 100, 0, 0)
            .OnFollowerFetch(2, 100, 100, 5)
            .OnFollowerFetch(3, 100, 100, 5);

        state = state.WithAssignment(new PartitionAssignment([2, 3, 4, 1], 1, 5, [1, 2, 3]), 100, 10);
        Assert.Equal([2, 3, 4], state.Followers.Keys.Order().ToArray());
        Assert.Empty(state.CaughtUpOutOfSyncFollowers());
        Assert.Equal([4], state.OnFollowerFetch(4, 100, 100, 20).CaughtUpOutOfSyncFollowers().ToArray());

        state = state.WithAssignment(new PartitionAssignment([1, 2, 4], 1, 5, [1, 2, 4]), 100, 30);
        Assert.Equal([2, 4], state.Followers.Keys.Order().ToArray());

        // A late AlterIsr answer from before the switch still names the removed replica 3: it does not count.
        Assert.Equal([1, 2, 4], state.WithIsr([1, 2, 3, 4], 100).Isr.ToArray());
    }
}
