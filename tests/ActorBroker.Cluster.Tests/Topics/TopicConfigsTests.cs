using ActorBroker.Cluster.Topics;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Topics;

public sealed class TopicConfigsTests
{
    private static ActorBrokerSettings Settings(string hocon = "") => ActorBrokerSettings.Create(BrokerSystem.Config("/tmp/unused", hocon));

    [Theory]
    [InlineData("delete")]
    [InlineData("compact")]
    [InlineData("compact,delete")]
    [InlineData("delete,compact")]
    [InlineData("compact, delete")]
    public void Cleanup_policy_accepts_delete_compact_and_both_in_either_order(string policy)
    {
        Assert.Null(TopicConfigs.Validate(new Dictionary<string, string> { [TopicConfigs.CleanupPolicy] = policy }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("compact,compact")]
    [InlineData("delete,compact,delete")]
    [InlineData("shred")]
    public void Cleanup_policy_rejects_anything_else(string policy)
    {
        Assert.NotNull(TopicConfigs.Validate(new Dictionary<string, string> { [TopicConfigs.CleanupPolicy] = policy }));
    }

    [Theory]
    [InlineData("delete.retention.ms", "-1")]
    [InlineData("min.cleanable.dirty.ratio", "1.5")]
    [InlineData("min.cleanable.dirty.ratio", "half")]
    [InlineData("min.compaction.lag.ms", "-5")]
    [InlineData("max.compaction.lag.ms", "0")]
    public void Compaction_configs_out_of_range_are_rejected(string name, string value)
    {
        Assert.NotNull(TopicConfigs.Validate(new Dictionary<string, string> { [name] = value }));
    }

    [Fact]
    public void Max_compaction_lag_below_min_compaction_lag_is_rejected()
    {
        Assert.NotNull(TopicConfigs.Validate(new Dictionary<string, string>
        {
            [TopicConfigs.MinCompactionLagMs] = "5000",
            [TopicConfigs.MaxCompactionLagMs] = "4000",
        }));
    }

    [Fact]
    public void Compaction_defaults_come_from_the_cleaner_block_of_the_broker_config()
    {
        var defaults = TopicConfigs.Defaults(Settings("""
            actorbroker.log.cleanup-policy = "compact,delete"
            actorbroker.log.cleaner { delete-retention = 2h, min-cleanable-dirty-ratio = 0.25, min-compaction-lag = 5s }
            """));

        Assert.Equal("compact,delete", defaults[TopicConfigs.CleanupPolicy]);
        Assert.Equal("7200000", defaults[TopicConfigs.DeleteRetentionMs]);
        Assert.Equal("0.25", defaults[TopicConfigs.MinCleanableDirtyRatio]);
        Assert.Equal("5000", defaults[TopicConfigs.MinCompactionLagMs]);
        Assert.Equal(long.MaxValue.ToString(), defaults[TopicConfigs.MaxCompactionLagMs]);
        var config = TopicConfigs.CleanerConfigOf(defaults);
        Assert.Equal((7_200_000L, 0.25, 5_000L, long.MaxValue), (config.DeleteRetentionMs, config.MinCleanableDirtyRatio, config.MinCompactionLagMs, config.MaxCompactionLagMs));
    }

    [Fact]
    public void The_reference_defaults_are_Kafkas()
    {
        var defaults = TopicConfigs.Defaults(Settings());

        Assert.Equal("delete", defaults[TopicConfigs.CleanupPolicy]);
        Assert.Equal("86400000", defaults[TopicConfigs.DeleteRetentionMs]);
        Assert.Equal("0.5", defaults[TopicConfigs.MinCleanableDirtyRatio]);
        Assert.Equal("0", defaults[TopicConfigs.MinCompactionLagMs]);
    }
}
