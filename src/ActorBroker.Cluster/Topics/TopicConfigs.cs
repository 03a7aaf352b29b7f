using System.Collections.Immutable;
using System.Globalization;

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
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string MinCompactionLagMs = "min.compaction.lag.ms";
    public const string MaxCompactionLagMs = "max.compaction.lag.ms";

    private sealed record Definition(string Name, Func<ActorBrokerSettings, string> Default, Func<string, string?> Validate);

    private static readonly Definition[] Definitions =
    [
        new(SegmentBytes, s => s.Log.SegmentBytes.ToString(), PositiveInt),
        new(SegmentIndexBytes, s => s.Log.SegmentIndexBytes.ToString(), PositiveInt),
        new(IndexIntervalBytes, s => s.Log.IndexIntervalBytes.ToString(), PositiveInt),
        new(MaxMessageBytes, s => s.MaxMessageBytes.ToString(), PositiveInt),
        new(RetentionMs, s => s.RetentionMs.ToString(), LongOrUnlimited),
        new(RetentionBytes, s => s.RetentionBytes.ToString(), LongOrUnlimited),
        new(CleanupPolicy, s => s.CleanupPolicy, ValidateCleanupPolicy),
        new(MessageTimestampType, s => s.Log.TimestampType.ToString(), v => v is "CreateTime" or "LogAppendTime" ? null : "expected CreateTime or LogAppendTime"),
        new(SegmentMs, s => s.Log.SegmentMs.ToString(), PositiveLong),
        new(FlushMessages, s => s.FlushMessages.ToString(), PositiveLong),
        new(FlushMs, s => ((long)s.FlushInterval.TotalMilliseconds).ToString(), PositiveLong),
        new(MinInsyncReplicas, s => s.Replication.MinInsyncReplicas.ToString(), PositiveInt),
        new(UncleanLeaderElectionEnable, s => s.Replication.UncleanLeaderElection ? "true" : "false", v => v is "true" or "false" ? null : "expected true or false"),
        new(DeleteRetentionMs, s => s.Cleaner.Defaults.DeleteRetentionMs.ToString(), NonNegativeLong),
        new(MinCleanableDirtyRatio, s => s.Cleaner.Defaults.MinCleanableDirtyRatio.ToString(CultureInfo.InvariantCulture), Ratio),
        new(MinCompactionLagMs, s => s.Cleaner.Defaults.MinCompactionLagMs.ToString(), NonNegativeLong),
        new(MaxCompactionLagMs, s => s.Cleaner.Defaults.MaxCompactionLagMs.ToString(), PositiveLong),
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
        if (overrides.TryGetValue(MinCompactionLagMs, out var min) && overrides.TryGetValue(MaxCompactionLagMs, out var max)
            && long.Parse(max) < long.Parse(min))
            return $"Invalid value '{max}' for config '{MaxCompactionLagMs}': it must not be less than {MinCompactionLagMs} ({min}).";
        return null;
    }

    /// <summary>The effective value of every honoured config: the topic's override, else the broker default.</summary>
    public static ImmutableSortedDictionary<string, string> Effective(TopicDescription topic, ActorBrokerSettings settings) =>
        Defaults(settings).SetItems(topic.Configs);

    /// <summary>
    /// Kafka's cleanup.policy: a comma-separated list of <c>delete</c> and <c>compact</c>, each at most once, in either
    /// order ("compact,delete" and "delete,compact" both mean compact and apply retention). Null when valid.
    /// </summary>
    public static string? ValidateCleanupPolicy(string value)
    {
        var items = value.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length is 0 or > 2 || items.Any(i => i is not ("delete" or "compact")) || items.Distinct().Count() != items.Length)
            return "expected delete, compact, or both (compact,delete)";
        return null;
    }

    /// <summary>Whether a (valid) cleanup.policy includes compact.</summary>
    public static bool Compacts(string cleanupPolicy) => cleanupPolicy.Split(',', StringSplitOptions.TrimEntries).Contains("compact");

    /// <summary>Whether a (valid) cleanup.policy includes delete (retention by time and size).</summary>
    public static bool Deletes(string cleanupPolicy) => cleanupPolicy.Split(',', StringSplitOptions.TrimEntries).Contains("delete");

    /// <summary>The compaction settings of a topic's effective configs.</summary>
    public static Storage.Cleaning.CleanerConfig CleanerConfigOf(IReadOnlyDictionary<string, string> effective) => new()
    {
        DeleteRetentionMs = long.Parse(effective[DeleteRetentionMs]),
        MinCleanableDirtyRatio = double.Parse(effective[MinCleanableDirtyRatio], CultureInfo.InvariantCulture),
        MinCompactionLagMs = long.Parse(effective[MinCompactionLagMs]),
        MaxCompactionLagMs = long.Parse(effective[MaxCompactionLagMs]),
    };

    private static string? NonNegativeLong(string value) =>
        long.TryParse(value, out long number) && number >= 0 ? null : "expected a non-negative 64-bit integer";

    private static string? Ratio(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio) && ratio is >= 0 and <= 1
            ? null
            : "expected a number between 0 and 1";

    private static string? PositiveInt(string value) =>
        int.TryParse(value, out int number) && number > 0 ? null : "expected a positive 32-bit integer";

    private static string? PositiveLong(string value) =>
        long.TryParse(value, out long number) && number > 0 ? null : "expected a positive 64-bit integer";

    private static string? LongOrUnlimited(string value) =>
        long.TryParse(value, out long number) && number >= -1 ? null : "expected a whole number, or -1 for unlimited";
}
