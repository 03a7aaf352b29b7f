namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// What AlterConfigs and IncrementalAlterConfigs share: the resource types and the answer for broker resources,
/// whose configs come from HOCON at start-up and cannot be changed at run time.
/// </summary>
public static class ConfigResources
{
    public const sbyte Topic = 2;
    public const sbyte Broker = 4;

    /// <summary>The broker configs DescribeConfigs reports, by Kafka name, with the HOCON key that sets each.</summary>
    private static readonly IReadOnlyDictionary<string, string> HoconKeys = new Dictionary<string, string>
    {
        ["broker.id"] = "actorbroker.node-id",
        ["auto.create.topics.enable"] = "actorbroker.auto-create-topics",
        ["num.partitions"] = "actorbroker.default-partitions",
        ["default.replication.factor"] = "actorbroker.default-replication-factor",
        ["log.dirs"] = "actorbroker.data-dir",
        ["log.segment.bytes"] = "actorbroker.log.segment-bytes",
        ["log.index.interval.bytes"] = "actorbroker.log.index-interval-bytes",
        ["log.index.size.max.bytes"] = "actorbroker.log.segment-index-bytes",
        ["log.flush.interval.ms"] = "actorbroker.log.flush-interval",
        ["log.retention.ms"] = "actorbroker.log.retention",
        ["log.retention.bytes"] = "actorbroker.log.retention-bytes",
        ["log.retention.check.interval.ms"] = "actorbroker.log.retention-check-interval",
        ["message.max.bytes"] = "actorbroker.log.max-message-bytes",
        ["socket.request.max.bytes"] = "actorbroker.kafka.socket-request-max-bytes",
    };

    /// <summary>The INVALID_REQUEST message for altering broker configs, naming the HOCON key of each.</summary>
    public static string BrokerConfigsAreStatic(IEnumerable<string> names)
    {
        var keys = names
            .Select(name => HoconKeys.TryGetValue(name, out var key) ? $"{name} is {key}" : $"{name} has no ActorBroker setting")
            .ToList();
        return "Broker configs cannot be changed at run time; set them in the actorbroker HOCON configuration and restart"
            + (keys.Count == 0 ? "." : $" ({string.Join("; ", keys)}).");
    }

    public static string UnsupportedResourceType(sbyte resourceType) =>
        $"Resource type {resourceType} is not supported; use {Topic} (topic) or {Broker} (broker).";
}
