using Akka.Configuration;

namespace ActorBroker.Cluster.Replication;

/// <summary>How partitions are replicated, parsed once from <c>actorbroker.replication</c>.</summary>
public sealed record ReplicationSettings(
    int MinInsyncReplicas,
    TimeSpan ReplicaLagTimeMax,
    int FetchMaxBytes,
    TimeSpan FetchWait,
    TimeSpan FollowRefreshInterval,
    bool UncleanLeaderElection = false,
    int ListenPort = 0)
{
    public static ReplicationSettings Default { get; } = new(1, TimeSpan.FromSeconds(30), 1024 * 1024, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));

    public static ReplicationSettings Create(Config config)
    {
        var block = config.GetConfig("actorbroker.replication");
        if (block is null)
            return Default;
        var settings = new ReplicationSettings(
            block.GetInt("min-insync-replicas", Default.MinInsyncReplicas),
            block.GetTimeSpan("replica-lag-time-max", Default.ReplicaLagTimeMax),
            block.GetInt("fetch-max-bytes", Default.FetchMaxBytes),
            block.GetTimeSpan("fetch-wait", Default.FetchWait),
            block.GetTimeSpan("follow-refresh-interval", Default.FollowRefreshInterval),
            block.GetBoolean("unclean-leader-election", Default.UncleanLeaderElection),
            block.GetInt("listen-port", Default.ListenPort));
        if (settings.MinInsyncReplicas < 1)
            throw new ConfigurationException($"actorbroker.replication.min-insync-replicas must be at least 1, but is {settings.MinInsyncReplicas}.");
        if (settings.FetchMaxBytes < 1024)
            throw new ConfigurationException($"actorbroker.replication.fetch-max-bytes must be at least 1024, but is {settings.FetchMaxBytes}.");
        if (settings.ListenPort is < 0 or > 65535)
            throw new ConfigurationException($"actorbroker.replication.listen-port must be 0 (any free port) to 65535, but is {settings.ListenPort}.");
        return settings;
    }
}
