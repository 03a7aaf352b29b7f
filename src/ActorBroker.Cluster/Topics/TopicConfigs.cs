using System.Collections.Immutable;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// The topic-level configs this broker honours, with their broker-wide defaults. CreateTopics accepts
/// exactly these names and DescribeConfigs reports them; anything else is rejected as INVALID_CONFIG
/// rather than silently stored and ignored.
/// </summary>
public static class TopicConfigs
{
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentIndexBytes = "segment.index.bytes";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string MaxMessageBytes = "max.message.bytes";

    public static ImmutableSortedDictionary<string, string> Defaults(ActorBrokerSettings settings) =>
        ImmutableSortedDictionary.CreateRange(new Dictionary<string, string>
        {
            [SegmentBytes] = settings.Log.SegmentBytes.ToString(),
            [SegmentIndexBytes] = settings.Log.SegmentIndexBytes.ToString(),
            [IndexIntervalBytes] = settings.Log.IndexIntervalBytes.ToString(),
            [MaxMessageBytes] = settings.MaxMessageBytes.ToString(),
        });

    /// <summary>Returns null when every override is a known config with a valid value, else what is wrong.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (name, value) in overrides)
        {
            bool known = name is SegmentBytes or SegmentIndexBytes or IndexIntervalBytes or MaxMessageBytes;
            if (!known)
                return $"Unknown or unsupported topic config '{name}'. Supported: {SegmentBytes}, {SegmentIndexBytes}, {IndexIntervalBytes}, {MaxMessageBytes}.";
            if (!int.TryParse(value, out int number) || number <= 0)
                return $"Invalid value '{value}' for config '{name}': expected a positive 32-bit integer.";
        }
        return null;
    }

    /// <summary>The effective value of every honoured config: the topic's override, else the broker default.</summary>
    public static ImmutableSortedDictionary<string, string> Effective(TopicDescription topic, ActorBrokerSettings settings) =>
        Defaults(settings).SetItems(topic.Configs);
}
