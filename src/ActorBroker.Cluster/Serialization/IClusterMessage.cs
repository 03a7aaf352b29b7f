namespace ActorBroker.Cluster.Serialization;

/// <summary>
/// Marks a message that may cross nodes: every command and reply of the partition, group and topic actors and the
/// records inside them. Bound in HOCON to <see cref="WireMessageSerializer"/>; each such type needs one entry in its
/// manifest table (an unlisted type fails loudly on first send). Value types inside messages (TopicPartition,
/// enums) are not marked: they never travel alone.
/// </summary>
public interface IClusterMessage;
