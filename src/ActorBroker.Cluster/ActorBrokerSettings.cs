using Akka.Configuration;
using ActorBroker.Protocol.Records;
using ActorBroker.Cluster.Topics;
using ActorBroker.Storage;

namespace ActorBroker.Cluster;

/// <summary>The broker's settings, parsed once from the <c>actorbroker</c> HOCON block.</summary>
public sealed record ActorBrokerSettings(
    int NodeId,
    string DataDirectory,
    bool AutoCreateTopics,
    int DefaultPartitions,
    short DefaultReplicationFactor,
    int ShardCount,
    LogConfig Log,
    int MaxMessageBytes,
    TimeSpan FlushInterval,
    long RetentionMs,
    long RetentionBytes,
    TimeSpan RetentionCheckInterval)
{
    public static ActorBrokerSettings Create(Config config)
    {
        var broker = config.GetConfig("actorbroker")
            ?? throw new ConfigurationException("The `actorbroker` configuration block is missing.");
        var log = broker.GetConfig("log");
        return new ActorBrokerSettings(
            NodeId: broker.GetInt("node-id"),
            DataDirectory: Path.GetFullPath(broker.GetString("data-dir")),
            AutoCreateTopics: broker.GetBoolean("auto-create-topics"),
            DefaultPartitions: Positive(broker.GetInt("default-partitions"), "actorbroker.default-partitions"),
            DefaultReplicationFactor: (short)Positive(broker.GetInt("default-replication-factor"), "actorbroker.default-replication-factor"),
            ShardCount: Positive(broker.GetInt("shard-count"), "actorbroker.shard-count"),
            Log: new LogConfig
            {
                SegmentBytes = Positive(log.GetInt("segment-bytes"), "actorbroker.log.segment-bytes"),
                IndexIntervalBytes = Positive(log.GetInt("index-interval-bytes"), "actorbroker.log.index-interval-bytes"),
                SegmentIndexBytes = Positive(log.GetInt("segment-index-bytes"), "actorbroker.log.segment-index-bytes"),
                SegmentMs = PositiveMs(log.GetTimeSpan("segment-ms"), "actorbroker.log.segment-ms"),
                TimestampType = log.GetString("message-timestamp-type") switch
                {
                    "CreateTime" => TimestampType.CreateTime,
                    "LogAppendTime" => TimestampType.LogAppendTime,
                    var other => throw new ConfigurationException($"actorbroker.log.message-timestamp-type must be CreateTime or LogAppendTime, but is '{other}'."),
                },
            },
            MaxMessageBytes: Positive(log.GetInt("max-message-bytes"), "actorbroker.log.max-message-bytes"),
            FlushInterval: log.GetTimeSpan("flush-interval"),
            RetentionMs: log.GetString("retention") is "-1" or "unlimited" ? -1 : (long)log.GetTimeSpan("retention").TotalMilliseconds,
            RetentionBytes: log.GetLong("retention-bytes"),
            RetentionCheckInterval: log.GetTimeSpan("retention-check-interval"))
        {
            FlushMessages = log.GetLong("flush-messages") is > 0 and var messages
                ? messages
                : throw new ConfigurationException("actorbroker.log.flush-messages must be positive."),
            AcksAllWaitsForFsync = log.GetBoolean("acks-all-waits-for-fsync"),
            PageCacheBudget = ReadPageCacheBudget(log),
            Replication = Cluster.Replication.ReplicationSettings.Create(config),
            AutoRebalance = AutoRebalanceSettings.Create(config),
            CleanupPolicy = TopicConfigs.ValidateCleanupPolicy(log.GetString("cleanup-policy")) is { } problem
                ? throw new ConfigurationException($"actorbroker.log.cleanup-policy: {problem}.")
                : log.GetString("cleanup-policy"),
            Cleaner = LogCleanerSettings.Create(log),
        };
    }

    private static long ReadPageCacheBudget(Config log) =>
        log.GetString("page-cache-budget") is "unlimited" or "-1"
            ? long.MaxValue
            : log.GetByteSize("page-cache-budget") is >= 0 and var bytes
                ? bytes
                : throw new ConfigurationException("actorbroker.log.page-cache-budget must be a size (such as 1GiB, 0 included) or \"unlimited\".");

    /// <summary>
    /// The newest flushed log bytes the node's partition logs keep in the page cache, shared equally among the logs open
    /// on the node (<see cref="PartitionLog.PageCacheKeepBytes"/>); long.MaxValue keeps everything.
    /// </summary>
    public long PageCacheBudget { get; init; } = long.MaxValue;

    /// <summary>Default of the topic config flush.messages: fsync once this many messages are unflushed.</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary>Whether a Produce with acks=all is answered only after its partition's log is fsynced.</summary>
    public bool AcksAllWaitsForFsync { get; init; }

    public Replication.ReplicationSettings Replication { get; init; } = Cluster.Replication.ReplicationSettings.Default;

    /// <summary>Whether (and how fast) the controller spreads replicas onto brokers that join.</summary>
    public AutoRebalanceSettings AutoRebalance { get; init; } = AutoRebalanceSettings.Default;
    /// <summary>Default of the topic config cleanup.policy (Kafka's log.cleanup.policy): delete, compact, or both.</summary>
    public string CleanupPolicy { get; init; } = "delete";

    /// <summary>The log cleaner (compaction) settings and the defaults of the compaction topic configs.</summary>
    public LogCleanerSettings Cleaner { get; init; } = LogCleanerSettings.Default;

    public string LogsDirectory => Path.Combine(DataDirectory, "logs");

    public ActorBrokerSettings WithDataDirectory(string directory) => this with { DataDirectory = Path.GetFullPath(directory) };

    public ActorBrokerSettings WithAutoCreateTopics(bool enabled) => this with { AutoCreateTopics = enabled };

    private static long PositiveMs(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? (long)value.TotalMilliseconds : throw new ConfigurationException($"{key} must be positive, but is {value}.");

    private static int Positive(int value, string key) =>
        value > 0 ? value : throw new ConfigurationException($"{key} must be positive, but is {value}.");
}
