using Akka.Configuration;

namespace ActorBroker.Cluster.Groups;

/// <summary>Group coordinator settings (Kafka's group.* and offsets.* broker configs), from <c>actorbroker.groups</c>.</summary>
public sealed record GroupSettings(
    int MinSessionTimeoutMs,
    int MaxSessionTimeoutMs,
    int InitialRebalanceDelayMs,
    int MaxGroupSize,
    int MaxMetadataBytes,
    TimeSpan OffsetsRetention,
    TimeSpan TickInterval)
{
    public static GroupSettings Default { get; } = new(6_000, 1_800_000, 3_000, int.MaxValue, 4096, TimeSpan.FromDays(7), TimeSpan.FromMilliseconds(100));

    public static GroupSettings Create(Config config)
    {
        var groups = config.GetConfig("actorbroker.groups")
            ?? throw new ConfigurationException("The `actorbroker.groups` configuration block is missing.");
        return new GroupSettings(
            (int)groups.GetTimeSpan("min-session-timeout").TotalMilliseconds,
            (int)groups.GetTimeSpan("max-session-timeout").TotalMilliseconds,
            (int)groups.GetTimeSpan("initial-rebalance-delay").TotalMilliseconds,
            groups.GetInt("max-size"),
            groups.GetInt("offset-metadata-max-bytes"),
            groups.GetTimeSpan("offsets-retention"),
            groups.GetTimeSpan("tick-interval"));
    }
}
