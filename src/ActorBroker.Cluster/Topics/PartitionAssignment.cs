using System.Collections.Immutable;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// Where one partition lives, as the controller (the topic registry) decided: its replica set (node ids, the
/// preferred leader first), the current leader (-1: offline, no in-sync replica is alive), the leader epoch (bumped
/// on every leadership change, stamped into the batches the leader writes) and the in-sync replicas.
/// </summary>
public sealed record PartitionAssignment(ImmutableArray<int> Replicas, int Leader, int LeaderEpoch, ImmutableArray<int> Isr)
{
    public const int NoLeader = -1;

    public bool IsOnline => Leader != NoLeader;

    /// <summary>The reassignment in progress (null: none). Journaled with the rest of the assignment, so a controller
    /// that takes over resumes it.</summary>
    public PartitionReassignment? Reassignment { get; init; }

    public static PartitionAssignment Initial(ImmutableArray<int> replicas) => new(replicas, replicas[0], 0, replicas);

    /// <summary>
    /// The assignment after a membership change. <paramref name="eligible"/> brokers (Up) may take leadership;
    /// <paramref name="present"/> ones (Up, or Leaving while they hand over) still hold their replicas. Replicas
    /// not present leave the ISR. A leader that is not eligible hands over to the first eligible in-sync replica;
    /// if there is none it stays while present (a single replica keeps serving until its node is gone) and the
    /// partition goes offline once it is not: the ISR then keeps its last members, the replicas known to hold every
    /// acknowledged record, and the first of them to come back leads again. Never elects outside the ISR. Every
    /// leadership change bumps the epoch. Worked example: replicas [1,2,3], leader 1, ISR [1,2,3]; node 1 dies:
    /// leader 2, ISR [2,3], epoch + 1; nodes 2 and 3 die as well: leader -1, ISR [2,3]; node 3 returns: leader 3, ISR [3].
    /// </summary>
    /// <param name="unclean">Kafka's unclean.leader.election.enable: with no in-sync replica left, an out-of-sync
    /// replica that is eligible leads instead of the partition going offline (records it lacks are lost).</param>
    public PartitionAssignment Reelect(IReadOnlySet<int> eligible, IReadOnlySet<int> present, bool unclean = false)
    {
        var presentIsr = Isr.Where(present.Contains).ToImmutableArray();
        if (IsOnline && eligible.Contains(Leader))
            return presentIsr.Length == Isr.Length ? this : this with { Isr = presentIsr };
        int successor = presentIsr.FirstOrDefault(eligible.Contains, NoLeader);
        if (successor != NoLeader)
            return this with { Leader = successor, LeaderEpoch = LeaderEpoch + 1, Isr = presentIsr.Remove(Leader) };
        if (IsOnline && present.Contains(Leader))
            return presentIsr.Length == Isr.Length ? this : this with { Isr = presentIsr };
        int outOfSync = unclean ? Replicas.FirstOrDefault(eligible.Contains, NoLeader) : NoLeader;
        if (outOfSync != NoLeader)
            return this with { Leader = outOfSync, LeaderEpoch = LeaderEpoch + 1, Isr = [outOfSync] };
        return IsOnline ? this with { Leader = NoLeader, LeaderEpoch = LeaderEpoch + 1 } : this;
    }

    /// <summary>
    /// Starts a reassignment to <paramref name="target"/>, or redirects the one in progress (its original replicas
    /// stay the original ones, as in Kafka): the replicas become <c>target ++ (original − target)</c> and the ISR
    /// keeps only members of that set. Worked example: replicas [1,2,3], leader 1, ISR [1,2,3]; target [2,3,4]:
    /// replicas [2,3,4,1], ISR [1,2,3], adding [4], removing [1]. Null when the leader would be dropped (it was an
    /// adding replica of the reassignment being redirected) and no in-sync replica that stays can lead.
    /// </summary>
    public PartitionAssignment? Reassign(ImmutableArray<int> target, IReadOnlySet<int> eligible)
    {
        var reassignment = new PartitionReassignment(Reassignment?.Original ?? Replicas, target);
        return MoveTo(reassignment.Replicas, eligible) is { } moved ? moved with { Reassignment = reassignment } : null;
    }

    /// <summary>
    /// The switch at the end of a reassignment, once every target replica is in the ISR (null before): the replicas
    /// and ISR shrink to the target; a leader outside the target hands over to the first eligible target replica with
    /// a new epoch. Continuing the example: ISR [1,2,3,4]: replicas [2,3,4], leader 2, epoch + 1, ISR [2,3,4].
    /// </summary>
    public PartitionAssignment? CompleteReassignment(IReadOnlySet<int> eligible) =>
        Reassignment is { } reassignment && IsOnline && reassignment.Target.All(Isr.Contains)
            ? MoveTo(reassignment.Target, eligible) is { } moved ? moved with { Reassignment = null } : null
            : null;

    /// <summary>Cancels the reassignment in progress (Kafka's null target): back to the original replicas; the adding
    /// ones leave. Null when there is none, or when the leader is an adding replica and no original one can take over.</summary>
    public PartitionAssignment? CancelReassignment(IReadOnlySet<int> eligible) =>
        Reassignment is { } reassignment && MoveTo(reassignment.Original, eligible) is { } moved ? moved with { Reassignment = null } : null;

    /// <summary>The assignment on <paramref name="replicas"/>: the ISR keeps its members among them; a leader not among
    /// them hands over to the first eligible in-sync one, in replica order (null if there is none).</summary>
    private PartitionAssignment? MoveTo(ImmutableArray<int> replicas, IReadOnlySet<int> eligible)
    {
        var isr = Isr.Where(replicas.Contains).ToImmutableArray();
        if (!IsOnline || replicas.Contains(Leader))
            return this with { Replicas = replicas, Isr = isr };
        int leader = replicas.FirstOrDefault(r => isr.Contains(r) && eligible.Contains(r), NoLeader);
        return leader == NoLeader ? null : this with { Replicas = replicas, Leader = leader, LeaderEpoch = LeaderEpoch + 1, Isr = isr };
    }

    public bool Equals(PartitionAssignment? other) =>
        other is not null && Leader == other.Leader && LeaderEpoch == other.LeaderEpoch
        && Replicas.SequenceEqual(other.Replicas) && Isr.SequenceEqual(other.Isr) && Equals(Reassignment, other.Reassignment);

    public override int GetHashCode() => HashCode.Combine(Leader, LeaderEpoch, Replicas.Length, Isr.Length);
}

/// <summary>Spreads partitions over brokers, Kafka style: partition p's replicas are consecutive brokers starting at
/// <c>start + p</c>, so leaders (the first replica) rotate over every broker and each broker holds the same share.</summary>
public static class ReplicaPlacement
{
    /// <param name="brokers">The node ids to place on (any order; sorted here so the result is deterministic).</param>
    /// <param name="start">Rotates the first leader; the registry passes the number of partitions it already placed,
    /// so successive topics continue the rotation instead of all starting on the lowest node id.</param>
    public static ImmutableArray<PartitionAssignment> Assign(int firstPartition, int partitions, int replicationFactor, IEnumerable<int> brokers, int start)
    {
        var nodes = brokers.Order().ToArray();
        if (replicationFactor > nodes.Length)
            throw new ArgumentException($"Replication factor {replicationFactor} is larger than the {nodes.Length} broker(s) available.");
        var result = ImmutableArray.CreateBuilder<PartitionAssignment>(partitions);
        for (int p = firstPartition; p < firstPartition + partitions; p++)
        {
            var replicas = Enumerable.Range(0, replicationFactor)
                .Select(k => nodes[(start + p + k) % nodes.Length])
                .ToImmutableArray();
            result.Add(PartitionAssignment.Initial(replicas));
        }
        return result.MoveToImmutable();
    }
}
