using System.Collections.Immutable;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

namespace ActorBroker.Gateway.Tests;

public sealed class TopicMetadataCacheTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static TopicLookup Known(string name) =>
        new(name, ErrorCode.None, new TopicDescription(name, Guid.NewGuid(), 1, 1, ImmutableSortedDictionary<string, string>.Empty));

    [Fact]
    public void Serves_only_when_every_name_is_cached_and_fresh()
    {
        var clock = new ManualClock();
        var cache = new TopicMetadataCache(TimeSpan.FromSeconds(5), clock);
        cache.Remember([Known("a"), Known("b")]);

        Assert.Equal(["a", "b"], cache.TryGetAll(["a", "b"])!.Keys.Order());
        Assert.Null(cache.TryGetAll(["a", "c"]));

        clock.Now += TimeSpan.FromSeconds(5);
        Assert.Null(cache.TryGetAll(["a"]));
    }

    [Fact]
    public void A_name_the_registry_does_not_know_or_that_is_forgotten_is_dropped()
    {
        var cache = new TopicMetadataCache(TimeSpan.FromMinutes(1), new ManualClock());
        cache.Remember([Known("a"), Known("b")]);

        cache.Remember([new TopicLookup("a", ErrorCode.UnknownTopicOrPartition, null)]);
        cache.Forget("b");

        Assert.Null(cache.TryGetAll(["a"]));
        Assert.Null(cache.TryGetAll(["b"]));
    }
}
