using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// A reassignment in progress on one partition, as Kafka records it (KIP-455): the replicas the partition had when
/// the first reassignment started (<paramref name="Original"/>) and the replicas it should end with
/// (<paramref name="Target"/>, the preferred leader first). While it runs the partition's replicas are
/// <c>Target ++ (Original − Target)</c>: the adding replicas follow and copy the leader's log, the removing ones keep
/// following, so the ISR never loses a member before the target is in sync. Immutable.
/// </summary>
public sealed record PartitionReassignment(ImmutableArray<int> Original, ImmutableArray<int> Target)
{
    /// <summary>Target replicas the partition did not have: they copy the log before the switch.</summary>
    [JsonIgnore]
    public ImmutableArray<int> Adding => Target.Except(Original).ToImmutableArray();

    /// <summary>Original replicas not in the target: they leave (stop following and delete their copy) at the switch.</summary>
    [JsonIgnore]
    public ImmutableArray<int> Removing => Original.Except(Target).ToImmutableArray();

    /// <summary>The replica set while the reassignment runs.</summary>
    [JsonIgnore]
    public ImmutableArray<int> Replicas => Target.Concat(Original.Except(Target)).ToImmutableArray();

    public bool Equals(PartitionReassignment? other) =>
        other is not null && Original.SequenceEqual(other.Original) && Target.SequenceEqual(other.Target);

    public override int GetHashCode() => HashCode.Combine(Original.Length, Target.Length);
}
