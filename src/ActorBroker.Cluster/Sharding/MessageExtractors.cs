using Akka.Cluster.Sharding;
using ActorBroker.Cluster.Partitions;

namespace ActorBroker.Cluster.Sharding;

/// <summary>Routes <see cref="IPartitionCommand"/>s to the "partition" entity named <c>&lt;topic&gt;-&lt;n&gt;</c>.</summary>
public sealed class PartitionMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) =>
        message is IPartitionCommand command ? command.Partition.EntityId : null;
}

/// <summary>Routes <see cref="Groups.IGroupCommand"/>s to the "group" entity named by the group id.</summary>
public sealed class GroupMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) =>
        message is Groups.IGroupCommand command ? command.GroupId : null;
}
