namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// The compaction settings of one log (Kafka's topic configs of the same names). Immutable; copy with <c>with</c>.
/// Thread-safe.
/// </summary>
public sealed record CleanerConfig
{
    /// <summary>
    /// delete.retention.ms: a tombstone (a record with a null value) is kept while the segment holding it has a largest
    /// timestamp within this many ms of now; cleaned after that, it goes. Consumers that read the log within this
    /// time after a delete therefore see the tombstone.
    /// </summary>
    public long DeleteRetentionMs { get; init; } = 86_400_000;

    /// <summary>
    /// min.cleanable.dirty.ratio: a log is cleaned when its dirty bytes (segments not yet cleaned) make up at least this
    /// share of its cleanable bytes (every inactive segment below the first uncleanable offset).
    /// </summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>min.compaction.lag.ms: a segment whose largest timestamp is younger than this is not cleaned yet (nor any after it).</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>
    /// max.compaction.lag.ms: the log is cleaned whatever its dirty ratio once its first dirty segment's largest
    /// timestamp is this old. Long.MaxValue: never forced.
    /// </summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    public static CleanerConfig Default { get; } = new();

    /// <summary>Null when every value is in range, else what is wrong.</summary>
    public string? Validate() =>
        DeleteRetentionMs < 0 ? "delete.retention.ms must not be negative"
        : MinCleanableDirtyRatio is < 0 or > 1 || double.IsNaN(MinCleanableDirtyRatio) ? "min.cleanable.dirty.ratio must be between 0 and 1"
        : MinCompactionLagMs < 0 ? "min.compaction.lag.ms must not be negative"
        : MaxCompactionLagMs < 1 ? "max.compaction.lag.ms must be positive"
        : MaxCompactionLagMs < MinCompactionLagMs ? "max.compaction.lag.ms must not be less than min.compaction.lag.ms"
        : null;
}
