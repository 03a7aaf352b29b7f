using ActorBroker.Cluster.Topics;
using ActorBroker.TestKit;
using Akka.Configuration;

namespace ActorBroker.Cluster.Tests.Topics;

/// <summary>actorbroker.log.page-cache-keep: how much of each partition's newest flushed log stays in the page cache.</summary>
public sealed class PageCacheKeepSettingTests
{
    private static ActorBrokerSettings Settings(string hocon = "") => ActorBrokerSettings.Create(BrokerSystem.Config("/tmp/unused", hocon));

    [Fact]
    public void By_default_every_partition_log_keeps_its_newest_64_MiB_cached()
    {
        var settings = Settings();
        Assert.Equal(64L << 20, TopicLogConfig.For(TopicConfigs.Defaults(settings), settings).PageCacheKeepBytes);
    }

    [Theory]
    [InlineData("unlimited", long.MaxValue)]
    [InlineData("-1", long.MaxValue)]
    [InlineData("0", 0)]
    [InlineData("1GiB", 1L << 30)]
    public void The_keep_is_a_size_or_unlimited(string value, long bytes) =>
        Assert.Equal(bytes, Settings($"actorbroker.log.page-cache-keep = \"{value}\"").Log.PageCacheKeepBytes);

    [Fact]
    public void A_keep_that_is_not_a_size_is_refused_with_the_key_and_what_it_takes()
    {
        var error = Assert.Throws<ConfigurationException>(() => Settings("actorbroker.log.page-cache-keep = -5"));
        Assert.Contains("actorbroker.log.page-cache-keep", error.Message);
        Assert.Contains("unlimited", error.Message);
    }
}
