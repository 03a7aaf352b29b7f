using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

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

    /// <summary>The (type, name) pairs named more than once in one request; Kafka refuses each of them.</summary>
    public static HashSet<(sbyte Type, string Name)> Duplicates<T>(IEnumerable<T> resources, Func<T, (sbyte Type, string Name)> key) =>
        resources.GroupBy(key).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();

    /// <summary>
    /// Alters one resource of an AlterConfigs or IncrementalAlterConfigs request: a topic through the registry
    /// (<paramref name="topicCommand"/> builds the registry command, or says why the resource is invalid), a broker
    /// never (its configs are HOCON). Refreshes the gateway's topic cache with the altered topic.
    /// </summary>
    public static async Task<(ErrorCode Error, string? Message)> AlterAsync(
        RequestContext context,
        sbyte resourceType,
        string resourceName,
        bool duplicated,
        IEnumerable<string> configNames,
        Func<(object? Command, string? Invalid)> topicCommand,
        bool validateOnly,
        CancellationToken cancellationToken)
    {
        if (duplicated)
            return (ErrorCode.InvalidRequest, $"Resource '{resourceName}' appears more than once in the request.");
        switch (resourceType)
        {
            case Topic:
                var (command, invalid) = topicCommand();
                if (command is null)
                    return (ErrorCode.InvalidRequest, invalid);
                var result = await context.Broker.AskRegistryAsync<AlterTopicConfigsResult>(command, cancellationToken).ConfigureAwait(false);
                if (result is { Error: ErrorCode.None, Topic: { } altered } && !validateOnly)
                    context.TopicCache.Remember([new TopicLookup(altered.Name, ErrorCode.None, altered)]);
                return (result.Error, result.ErrorMessage);
            case Broker:
                return (ErrorCode.InvalidRequest, BrokerConfigsAreStatic(configNames));
            default:
                return (ErrorCode.InvalidRequest, UnsupportedResourceType(resourceType));
        }
    }
}
