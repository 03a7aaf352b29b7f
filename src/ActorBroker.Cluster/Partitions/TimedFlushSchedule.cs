using Akka.Actor;

namespace ActorBroker.Cluster.Partitions;

/// <summary>
/// When the timed flush (flush.ms) of a partition replica, leader or follower, ticks: on the multiples of its interval
/// on the wall clock, so that every log of a node with the same interval flushes at the same moment and the node's
/// <see cref="Storage.GroupSync"/> folds their fsyncs into one round instead of one per file.
/// </summary>
public static class TimedFlushSchedule
{
    public static void Start(ITimerScheduler timers, object key, object tick, TimeSpan interval) =>
        timers.StartPeriodicTimer(key, tick, DelayToNextTick(interval, DateTimeOffset.UtcNow), interval);

    /// <summary>The time from <paramref name="now"/> to the next multiple of <paramref name="interval"/> since the Unix epoch.</summary>
    public static TimeSpan DelayToNextTick(TimeSpan interval, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        long sinceEpoch = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return TimeSpan.FromTicks(interval.Ticks - sinceEpoch % interval.Ticks);
    }
}
