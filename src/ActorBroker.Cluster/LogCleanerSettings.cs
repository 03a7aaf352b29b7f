using Akka.Configuration;
using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Cluster;

/// <summary>
/// The broker's log cleaner settings (HOCON <c>actorbroker.log.cleaner</c>): whether partitions of compacted topics
/// are cleaned, how often each checks, and the broker defaults of the compaction topic configs. Immutable.
/// </summary>
/// <param name="Enable">Kafka's log.cleaner.enable: off, compacted topics are never cleaned (produce checks still apply).</param>
/// <param name="Backoff">Kafka's log.cleaner.backoff.ms: how often a partition of a compacted topic checks whether a clean is due.</param>
/// <param name="Defaults">Defaults of delete.retention.ms, min.cleanable.dirty.ratio, min.compaction.lag.ms, max.compaction.lag.ms.</param>
public sealed record LogCleanerSettings(bool Enable, TimeSpan Backoff, CleanerConfig Defaults)
{
    public static LogCleanerSettings Default { get; } = new(true, TimeSpan.FromSeconds(15), CleanerConfig.Default);

    /// <summary>Parses the <c>cleaner</c> block of <c>actorbroker.log</c>.</summary>
    public static LogCleanerSettings Create(Config log)
    {
        var cleaner = log.GetConfig("cleaner") ?? throw new ConfigurationException("The `actorbroker.log.cleaner` block is missing.");
        var backoff = cleaner.GetTimeSpan("backoff");
        if (backoff <= TimeSpan.Zero)
            throw new ConfigurationException($"actorbroker.log.cleaner.backoff must be positive, but is {backoff}.");
        var defaults = new CleanerConfig
        {
            DeleteRetentionMs = (long)cleaner.GetTimeSpan("delete-retention").TotalMilliseconds,
            MinCleanableDirtyRatio = cleaner.GetDouble("min-cleanable-dirty-ratio"),
            MinCompactionLagMs = (long)cleaner.GetTimeSpan("min-compaction-lag").TotalMilliseconds,
            MaxCompactionLagMs = cleaner.GetString("max-compaction-lag") is "unlimited"
                ? long.MaxValue
                : (long)cleaner.GetTimeSpan("max-compaction-lag").TotalMilliseconds,
        };
        if (defaults.Validate() is { } problem)
            throw new ConfigurationException($"actorbroker.log.cleaner: {problem}.");
        return new LogCleanerSettings(cleaner.GetBoolean("enable"), backoff, defaults);
    }
}
