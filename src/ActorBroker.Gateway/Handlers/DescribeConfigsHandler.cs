using ActorBroker.Cluster;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// DescribeConfigs v0–v2 for topics (the configs the broker honours: overrides with source DYNAMIC_TOPIC_CONFIG,
/// the rest DEFAULT_CONFIG) and for brokers: this broker's settings under their Kafka names (STATIC_BROKER_CONFIG),
/// and for this and every other member of the cluster its membership (<see cref="MemberConfigs"/>,
/// DYNAMIC_BROKER_CONFIG, read-only). Another broker's settings are not known here: ask that broker.
/// </summary>
public sealed class DescribeConfigsHandler : RequestHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    public const sbyte TopicResource = 2;
    public const sbyte BrokerResource = 4;

    // Kafka's DescribeConfigsResponse.ConfigSource
    private const sbyte DynamicTopicConfig = 1;
    private const sbyte DynamicBrokerConfig = 2;
    private const sbyte StaticBrokerConfig = 4;
    private const sbyte DefaultConfig = 5;

    public override ApiKey Key => ApiKey.DescribeConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override DescribeConfigsRequest Read(ref KafkaReader reader, short version) => DescribeConfigsRequest.Read(ref reader, version);

    protected override void Write(DescribeConfigsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request, CancellationToken cancellationToken)
    {
        // The registry, not the gateway's topic cache: configs change at run time (AlterConfigs), and an admin
        // request must not answer with a stale copy.
        var topicNames = request.Resources.Where(r => r.ResourceType == TopicResource).Select(r => r.ResourceName).Distinct().ToList();
        var topics = topicNames.Count == 0
            ? new Dictionary<string, TopicLookup>()
            : (await context.DescribeTopicsAsync(topicNames, autoCreate: false, cancellationToken).ConfigureAwait(false)).Topics.ToDictionary(t => t.Name);
        return new DescribeConfigsResponse
        {
            Results = request.Resources.Select(resource => resource.ResourceType switch
            {
                TopicResource => DescribeTopic(resource, topics[resource.ResourceName], context.Broker.Settings, request.IncludeSynonyms),
                BrokerResource => DescribeBroker(resource, context),
                _ => Failed(resource, ErrorCode.InvalidRequest, $"Resource type {resource.ResourceType} is not supported; use 2 (topic) or 4 (broker)."),
            }).ToList(),
        };
    }

    private static DescribeConfigsResponse.DescribeConfigsResult DescribeTopic(
        DescribeConfigsRequest.DescribeConfigsResource resource, TopicLookup lookup, ActorBrokerSettings settings, bool includeSynonyms)
    {
        if (lookup.Topic is not { } topic)
            return Failed(resource, lookup.Error == ErrorCode.None ? ErrorCode.UnknownTopicOrPartition : lookup.Error,
                $"Topic '{resource.ResourceName}' does not exist.");
        var defaults = TopicConfigs.Defaults(settings);
        var configs = TopicConfigs.Effective(topic, settings)
            .Where(c => resource.ConfigurationKeys is null || resource.ConfigurationKeys.Contains(c.Key))
            .Select(c =>
            {
                bool overridden = topic.Configs.ContainsKey(c.Key);
                var entry = Entry(c.Key, c.Value, overridden ? DynamicTopicConfig : DefaultConfig, readOnly: false);
                if (includeSynonyms)
                {
                    if (overridden)
                        entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = c.Key, Value = c.Value, Source = DynamicTopicConfig });
                    entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = c.Key, Value = defaults[c.Key], Source = DefaultConfig });
                }
                return entry;
            })
            .ToList();
        return Succeeded(resource, configs);
    }

    private static DescribeConfigsResponse.DescribeConfigsResult DescribeBroker(DescribeConfigsRequest.DescribeConfigsResource resource, RequestContext context)
    {
        var view = context.Broker.Brokers.Current;
        bool self = resource.ResourceName == "" || resource.ResourceName == context.Settings.NodeId.ToString();
        if (!self)
        {
            if (!int.TryParse(resource.ResourceName, out int nodeId) || view.ByNodeId(nodeId) is not { } member)
                return Failed(resource, ErrorCode.InvalidRequest,
                    $"Broker '{resource.ResourceName}' is not a member of this cluster (members: {MemberConfigs.Ids(view)}).");
            var membership = MemberConfigs.Of(member).Append(KeyValuePair.Create("broker.id", resource.ResourceName));
            return Succeeded(resource, Entries(resource, membership, DynamicBrokerConfig));
        }
        var own = new Dictionary<string, string> { [MemberConfigs.MemberIds] = MemberConfigs.Ids(view) };
        if (view.ByNodeId(context.Settings.NodeId) is { } selfMember)
            foreach (var (key, value) in MemberConfigs.Of(selfMember))
                own[key] = value;
        return Succeeded(resource, [.. Entries(resource, BrokerSettings(context), StaticBrokerConfig), .. Entries(resource, own, DynamicBrokerConfig)]);
    }

    private static List<DescribeConfigsResponse.DescribeConfigsResourceResult> Entries(
        DescribeConfigsRequest.DescribeConfigsResource resource, IEnumerable<KeyValuePair<string, string>> configs, sbyte source) =>
        configs
            .Where(c => resource.ConfigurationKeys is null || resource.ConfigurationKeys.Contains(c.Key))
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => Entry(c.Key, c.Value, source, readOnly: true))
            .ToList();

    private static Dictionary<string, string> BrokerSettings(RequestContext context)
    {
        var settings = context.Broker.Settings;
        return new Dictionary<string, string>
        {
            ["broker.id"] = context.Settings.NodeId.ToString(),
            ["auto.create.topics.enable"] = settings.AutoCreateTopics ? "true" : "false",
            ["num.partitions"] = settings.DefaultPartitions.ToString(),
            ["default.replication.factor"] = settings.DefaultReplicationFactor.ToString(),
            ["log.dirs"] = settings.LogsDirectory,
            ["log.segment.bytes"] = settings.Log.SegmentBytes.ToString(),
            ["log.index.interval.bytes"] = settings.Log.IndexIntervalBytes.ToString(),
            ["log.index.size.max.bytes"] = settings.Log.SegmentIndexBytes.ToString(),
            ["log.flush.interval.ms"] = ((long)settings.FlushInterval.TotalMilliseconds).ToString(),
            ["log.flush.interval.messages"] = settings.FlushMessages.ToString(),
            ["log.roll.ms"] = settings.Log.SegmentMs.ToString(),
            ["log.message.timestamp.type"] = settings.Log.TimestampType.ToString(),
            ["log.retention.ms"] = settings.RetentionMs.ToString(),
            ["log.retention.bytes"] = settings.RetentionBytes.ToString(),
            ["log.retention.check.interval.ms"] = ((long)settings.RetentionCheckInterval.TotalMilliseconds).ToString(),
            ["log.cleanup.policy"] = settings.CleanupPolicy,
            ["log.cleaner.enable"] = settings.Cleaner.Enable ? "true" : "false",
            ["log.cleaner.backoff.ms"] = ((long)settings.Cleaner.Backoff.TotalMilliseconds).ToString(),
            ["log.cleaner.delete.retention.ms"] = settings.Cleaner.Defaults.DeleteRetentionMs.ToString(),
            ["log.cleaner.min.cleanable.ratio"] = settings.Cleaner.Defaults.MinCleanableDirtyRatio.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["log.cleaner.min.compaction.lag.ms"] = settings.Cleaner.Defaults.MinCompactionLagMs.ToString(),
            ["log.cleaner.max.compaction.lag.ms"] = settings.Cleaner.Defaults.MaxCompactionLagMs.ToString(),
            ["message.max.bytes"] = settings.MaxMessageBytes.ToString(),
            ["socket.request.max.bytes"] = context.Settings.SocketRequestMaxBytes.ToString(),
        };
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult Entry(string name, string value, sbyte source, bool readOnly) => new()
    {
        Name = name,
        Value = value,
        ReadOnly = readOnly,
        IsDefault = source == DefaultConfig,
        ConfigSource = source,
        IsSensitive = false,
    };

    private static DescribeConfigsResponse.DescribeConfigsResult Succeeded(
        DescribeConfigsRequest.DescribeConfigsResource resource, List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs) => new()
    {
        ErrorCode = 0,
        ResourceType = resource.ResourceType,
        ResourceName = resource.ResourceName,
        Configs = configs,
    };

    private static DescribeConfigsResponse.DescribeConfigsResult Failed(
        DescribeConfigsRequest.DescribeConfigsResource resource, ErrorCode error, string message) => new()
    {
        ErrorCode = (short)error,
        ErrorMessage = message,
        ResourceType = resource.ResourceType,
        ResourceName = resource.ResourceName,
    };
}
