using System.Collections.Immutable;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// The topic-level configs this broker honours, with their broker-wide defaults and what a valid value is.
/// CreateTopics accepts exactly these names and DescribeConfigs reports them; anything else is rejected as
/// INVALID_CONFIG rather than silently stored and ignored.
/// </summary>
public static class TopicConfigs
{
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentIndexBytes = "segment.index.bytes";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string RetentionMs = "retention.ms";
    public const string RetentionBytes = "retention.bytes";
    public const string CleanupPolicy = "cleanup.policy";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string SegmentMs = "segment.ms";
    public const string FlushMessages = "flush.messages";
    public const string FlushMs = "flush.ms";
    public const string MinInsyncReplicas = "min.insync.replicas";

    private sealed record Definition(string Name, Func<ActorBrokerSettings, string> Default, Func<string, string?> Validate);

    private static readonly Definition[] Definitions =
    [
        new(SegmentBytes, s => s.Log.SegmentBytes.ToString(), PositiveInt),
        new(SegmentIndexBytes, s => s.Log.SegmentIndexBytes.ToString(), PositiveInt),
        new(IndexIntervalBytes, s => s.Log.IndexIntervalBytes.ToString(), PositiveInt),
        new(MaxMessageBytes, s => s.MaxMessageBytes.ToString(), PositiveInt),
        new(RetentionMs, s => s.RetentionMs.ToString(), LongOrUnlimited),
        new(RetentionBytes, s => s.RetentionBytes.ToString(), LongOrUnlimited),
        new(CleanupPolicy, _ => "delete", v => v == "delete" ? null : "only 'delete' is supported (compaction is not implemented yet)"),
        new(MessageTimestampType, s => s.Log.TimestampType.ToString(), v => v is "CreateTime" or "LogAppendTime" ? null : "expected CreateTime or LogAppendTime"),
        new(SegmentMs, s => s.Log.SegmentMs.ToString(), PositiveLong),
        new(FlushMessages, s => s.FlushMessages.ToString(), PositiveLong),
        new(FlushMs, s => ((long)s.FlushInterval.TotalMilliseconds).ToString(), PositiveLong),
        new(MinInsyncReplicas, s => s.Replication.MinInsyncReplicas.ToString(), PositiveInt),
    ];

    public static IEnumerable<string> Names => Definitions.Select(d => d.Name);

    public static ImmutableSortedDictionary<string, string> Defaults(ActorBrokerSettings settings) =>
        Definitions.ToImmutableSortedDictionary(d => d.Name, d => d.Default(settings), StringComparer.Ordinal);

    /// <summary>Returns null when every override is a known config with a valid value, else what is wrong.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (name, value) in overrides)
        {
            var definition = Definitions.FirstOrDefault(d => d.Name == name);
            if (definition is null)
                return $"Unknown or unsupported topic config '{name}'. Supported: {string.Join(", ", Names)}.";
            if (definition.Validate(value) is { } problem)
                return $"Invalid value '{value}' for config '{name}': {problem}.";
        }
        return null;
    }

    /// <summary>The effective value of every honoured config: the topic's override, else the broker default.</summary>
    public static ImmutableSortedDictionary<string, string> Effective(TopicDescription topic, ActorBrokerSettings settings) =>
        Defaults(settings).SetItems(topic.Configs);

    private static string? PositiveInt(string value) =>
        int.TryParse(value, out int number) && number > 0 ? null : "expected a positive 32-bit integer";

    private static string? PositiveLong(string value) =>
        long.TryParse(value, out long number) && number > 0 ? null : "expected a positive 64-bit integer";

    private static string? LongOrUnlimited(string value) =>
        long.TryParse(value, out long number) && number >= -1 ? null : "expected a whole number, or -1 for unlimited";
}
