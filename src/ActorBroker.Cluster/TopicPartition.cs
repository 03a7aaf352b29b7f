namespace ActorBroker.Cluster;

/// <summary>A partition of a topic; also the identity of its sharded entity and log directory.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <summary>Entity id and log directory name: <c>&lt;topic&gt;-&lt;partition&gt;</c> (Kafka's naming).</summary>
    public string EntityId => $"{Topic}-{Partition}";

    public override string ToString() => EntityId;

    public static TopicPartition ParseEntityId(string entityId)
    {
        int dash = entityId.LastIndexOf('-');
        if (dash <= 0 || !int.TryParse(entityId.AsSpan(dash + 1), out int partition))
            throw new ArgumentException($"'{entityId}' is not a <topic>-<partition> entity id.", nameof(entityId));
        return new TopicPartition(entityId[..dash], partition);
    }
}
