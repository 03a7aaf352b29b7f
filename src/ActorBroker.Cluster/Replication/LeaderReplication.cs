using System.Collections.Immutable;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Replication;

/// <summary>
/// What a leader knows of one follower, from its fetches: the follower has everything below
/// <paramref name="LogEndOffset"/>; it was last caught up with the leader at <paramref name="LastCaughtUpMs"/>.
/// <paramref name="LastFetchLeaderLogEnd"/>/<paramref name="LastFetchMs"/> remember the leader's log end at the
/// previous fetch, so a follower that keeps up under steady produce (it never sees the log end itself, since new
/// records keep arriving) still counts as caught up: reaching the end of the previous fetch means it was caught up then.
/// </summary>
public sealed record FollowerProgress(long LogEndOffset, long LastCaughtUpMs, long LastFetchLeaderLogEnd, long LastFetchMs);

/// <summary>
/// A partition leader's replication bookkeeping, free of actors (Kafka's Partition/Replica state): the replica set,
/// the in-sync replicas as the controller last confirmed them, each follower's progress, and the high watermark —
/// the offset below which every in-sync replica has the records, which consumers may read and acks=all waits for.
/// The high watermark never moves back. Immutable.
/// </summary>
public sealed record LeaderReplication(
    int Self,
    ImmutableArray<int> Replicas,
    ImmutableArray<int> Isr,
    ImmutableDictionary<int, FollowerProgress> Followers,
    long HighWatermark)
{
    /// <summary>A new leader: followers count as caught up now (Kafka gives them replica.lag.time.max.ms from the
    /// election), and the high watermark starts at <paramref name="initialHighWatermark"/> (at most the log end),
    /// or at the log end when the leader is the only in-sync replica.</summary>
    public static LeaderReplication Start(int self, PartitionAssignment assignment, long logEnd, long initialHighWatermark, long nowMs)
    {
        var followers = assignment.Replicas.Where(r => r != self)
            .ToImmutableDictionary(r => r, _ => new FollowerProgress(0, nowMs, long.MaxValue, nowMs));
        var state = new LeaderReplication(self, assignment.Replicas, assignment.Isr, followers, Math.Min(initialHighWatermark, logEnd));
        return state.Advance(logEnd);
    }

    /// <summary>Followers of the current ISR (the leader excluded).</summary>
    public IEnumerable<int> IsrFollowers => Isr.Where(r => r != Self);

    /// <summary>A follower fetched from <paramref name="fetchOffset"/> while the leader's log ended at <paramref name="logEnd"/>.</summary>
    public LeaderReplication OnFollowerFetch(int follower, long fetchOffset, long logEnd, long nowMs)
    {
        if (!Followers.TryGetValue(follower, out var progress))
            return this;
        long caughtUp = fetchOffset >= logEnd ? nowMs
            : fetchOffset >= progress.LastFetchLeaderLogEnd ? progress.LastFetchMs
            : progress.LastCaughtUpMs;
        var next = new FollowerProgress(fetchOffset, Math.Max(caughtUp, progress.LastCaughtUpMs), logEnd, nowMs);
        return (this with { Followers = Followers.SetItem(follower, next) }).Advance(logEnd);
    }

    /// <summary>Moves the high watermark to the smallest log end of the ISR (the leader's own is <paramref name="logEnd"/>).</summary>
    public LeaderReplication Advance(long logEnd)
    {
        long candidate = IsrFollowers.Aggregate(logEnd, (min, r) => Followers.TryGetValue(r, out var p) ? Math.Min(min, p.LogEndOffset) : min);
        return candidate > HighWatermark ? this with { HighWatermark = candidate } : this;
    }

    /// <summary>In-sync followers not caught up within <paramref name="lagMaxMs"/> (Kafka's replica.lag.time.max.ms): the ISR should shrink.</summary>
    public ImmutableArray<int> LaggingIsrFollowers(long nowMs, long lagMaxMs) =>
        IsrFollowers.Where(r => Followers.TryGetValue(r, out var p) && nowMs - p.LastCaughtUpMs > lagMaxMs).ToImmutableArray();

    /// <summary>Followers outside the ISR that have every record below the high watermark: the ISR should grow.</summary>
    public ImmutableArray<int> CaughtUpOutOfSyncFollowers() =>
        Followers.Where(f => !Isr.Contains(f.Key) && f.Value.LogEndOffset >= HighWatermark).Select(f => f.Key).Order().ToImmutableArray();

    /// <summary>
    /// The replica set and ISR the controller set (a reassignment adds or removes replicas): new followers start with
    /// nothing copied, removed ones are forgotten, and the high watermark is recomputed over the ISR.
    /// </summary>
    public LeaderReplication WithAssignment(PartitionAssignment assignment, long logEnd, long nowMs)
    {
        var followers = assignment.Replicas.Where(r => r != Self)
            .ToImmutableDictionary(r => r, r => Followers.TryGetValue(r, out var known) ? known : new FollowerProgress(0, nowMs, long.MaxValue, nowMs));
        return (this with { Replicas = assignment.Replicas, Followers = followers }).WithIsr(assignment.Isr, logEnd);
    }

    /// <summary>The ISR the controller confirmed; the high watermark is recomputed over it. Members that are no longer
    /// replicas are dropped: an AlterIsr answer may arrive after a reassignment's switch removed one of them, and
    /// counting it would let acks=all pass min.insync.replicas with too few copies.</summary>
    public LeaderReplication WithIsr(ImmutableArray<int> isr, long logEnd) =>
        (this with { Isr = isr.Where(r => r == Self || Followers.ContainsKey(r)).ToImmutableArray() }).Advance(logEnd);
}
