using ActorBroker.Cluster.Partitions;

namespace ActorBroker.Cluster.Tests.Partitions;

/// <summary>Timed flushes tick on the multiples of their interval, so a node's logs flush together.</summary>
public sealed class TimedFlushScheduleTests
{
    private static DateTimeOffset AtEpochPlus(long milliseconds) => DateTimeOffset.UnixEpoch.AddSeconds(1_800_000_000).AddTicks(milliseconds * TimeSpan.TicksPerMillisecond);

    [Fact]
    public void The_first_tick_waits_until_the_next_multiple_of_the_interval()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(700), TimedFlushSchedule.DelayToNextTick(TimeSpan.FromSeconds(1), AtEpochPlus(2_300)));
        Assert.Equal(TimeSpan.FromMilliseconds(200), TimedFlushSchedule.DelayToNextTick(TimeSpan.FromMilliseconds(500), AtEpochPlus(2_300)));
    }

    [Fact]
    public void Partitions_started_at_different_times_tick_at_the_same_moments()
    {
        var interval = TimeSpan.FromSeconds(1);
        var early = AtEpochPlus(7_050);
        var late = AtEpochPlus(7_930);
        Assert.Equal(early + TimedFlushSchedule.DelayToNextTick(interval, early), late + TimedFlushSchedule.DelayToNextTick(interval, late));
    }

    [Fact]
    public void Exactly_on_a_multiple_the_first_tick_is_one_whole_interval_later()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), TimedFlushSchedule.DelayToNextTick(TimeSpan.FromSeconds(1), AtEpochPlus(5_000)));
    }
}
