using Akka.Configuration;

namespace ActorBroker.Cluster.Topics;

/// <summary>The controller's automatic rebalancing when a broker joins, parsed once from <c>actorbroker.cluster</c>.</summary>
/// <param name="Enabled"><c>auto-rebalance</c>: off by default; reassignments then only happen on request.</param>
/// <param name="MaxMoves"><c>auto-rebalance-max-moves</c>: at most this many partitions are being reassigned at a time.</param>
/// <param name="Interval"><c>auto-rebalance-interval</c>: how often the controller checks for finished moves and plans the next ones.</param>
public sealed record AutoRebalanceSettings(bool Enabled, int MaxMoves, TimeSpan Interval)
{
    public static AutoRebalanceSettings Default { get; } = new(false, 2, TimeSpan.FromSeconds(5));

    public static AutoRebalanceSettings Create(Config config)
    {
        var block = config.GetConfig("actorbroker.cluster");
        if (block is null)
            return Default;
        var settings = new AutoRebalanceSettings(
            block.GetBoolean("auto-rebalance", Default.Enabled),
            block.GetInt("auto-rebalance-max-moves", Default.MaxMoves),
            block.GetTimeSpan("auto-rebalance-interval", Default.Interval));
        if (settings.MaxMoves < 1)
            throw new ConfigurationException($"actorbroker.cluster.auto-rebalance-max-moves must be at least 1, but is {settings.MaxMoves}.");
        if (settings.Interval <= TimeSpan.Zero)
            throw new ConfigurationException($"actorbroker.cluster.auto-rebalance-interval must be positive, but is {settings.Interval}.");
        return settings;
    }
}
