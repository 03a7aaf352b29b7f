using Akka.Cluster.Sharding;
using ActorBroker.Cluster.Partitions;

namespace ActorBroker.Cluster.Sharding;

/// <summary>
/// Routes <see cref="IPartitionCommand"/>s to the "partition" entity named <c>&lt;topic&gt;-&lt;n&gt;</c>. Each
/// partition is a shard of its own (shard id = entity id), so the controller can place every partition on its own
/// leader node (<see cref="LeaderShardAllocationStrategy"/>).
/// </summary>
public sealed class PartitionMessageExtractor : IMessageExtractor
{
    public string? EntityId(object message) => message is IPartitionCommand command ? command.Partition.EntityId : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}

/// <summary>Routes <see cref="Groups.IGroupCommand"/>s to the "group" entity named by the group id.</summary>
public sealed class GroupMessageExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) =>
        message is Groups.IGroupCommand command ? command.GroupId : null;
}
