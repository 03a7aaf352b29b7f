using System.Collections.Immutable;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Replication;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;
using ActorBroker.Tests.Shared;
using Akka.Configuration;

namespace ActorBroker.Cluster.Tests.Partitions;

/// <summary>actorbroker.log.page-cache-budget: the newest flushed bytes a node keeps cached, shared among its logs.</summary>
public sealed class PageCacheBudgetTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const long Budget = 256 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dataDir;
    private readonly BrokerServices _broker;

    public PageCacheBudgetTests() : this(new TempDirectory()) { }

    private PageCacheBudgetTests(TempDirectory dataDir) : base(BrokerSystem.Config(dataDir.Path, $"actorbroker.log.page-cache-budget = {Budget}"))
    {
        _dataDir = dataDir;
        _broker = BrokerSystem.StartBrokerAsync(Sys).GetAwaiter().GetResult();
    }

    private static ActorBrokerSettings Settings(string hocon = "") => ActorBrokerSettings.Create(BrokerSystem.Config("/tmp/unused", hocon));

    [Fact]
    public void By_default_a_node_keeps_1_GiB_of_its_newest_flushed_log_bytes_cached() =>
        Assert.Equal(1L << 30, Settings().PageCacheBudget);

    [Theory]
    [InlineData("unlimited", long.MaxValue)]
    [InlineData("-1", long.MaxValue)]
    [InlineData("0", 0)]
    [InlineData("64MiB", 64L << 20)]
    public void The_budget_is_a_size_or_unlimited(string value, long bytes) =>
        Assert.Equal(bytes, Settings($"actorbroker.log.page-cache-budget = \"{value}\"").PageCacheBudget);

    [Fact]
    public void A_budget_that_is_not_a_size_is_refused_with_the_key_and_what_it_takes()
    {
        var error = Assert.Throws<ConfigurationException>(() => Settings("actorbroker.log.page-cache-budget = -5"));
        Assert.Contains("actorbroker.log.page-cache-budget", error.Message);
        Assert.Contains("unlimited", error.Message);
    }

    [Fact]
    public void Each_log_open_on_the_node_gets_an_equal_share_and_unlimited_stays_unlimited()
    {
        var replicas = new LocalReplicas(pageCacheBudget: 900);
        Assert.Equal(900, replicas.PageCacheShare);
        replicas.TryAcquire(new TopicPartition("t", 0), TestActor);
        replicas.TryAcquire(new TopicPartition("t", 1), TestActor);
        replicas.TryAcquire(new TopicPartition("t", 2), TestActor);
        Assert.Equal(300, replicas.PageCacheShare);
        replicas.Release(new TopicPartition("t", 2), TestActor);
        Assert.Equal(450, replicas.PageCacheShare);
        Assert.Equal(long.MaxValue, new LocalReplicas().PageCacheShare);
    }

    [Theory]
    [InlineData("timed", "200", "9223372036854775807")] // the timed flush, off the actor
    [InlineData("durable", "3600000", "1")] // only the fsync before each acknowledgement
    public void A_partition_releases_the_page_cache_of_what_its_flushes_wrote_beyond_its_share(string topic, string flushMs, string flushMessages)
    {
        var configs = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string>
        {
            [TopicConfigs.FlushMs] = flushMs,
            [TopicConfigs.FlushMessages] = flushMessages,
        });
        _broker.Topics.Tell(new CreateTopic(topic, 1, 1, configs), TestActor);
        Assert.Equal(ErrorCode.None, ExpectMsg<CreateTopicResult>(Timeout).Error);
        var partition = new TopicPartition(topic, 0);
        var value = new string('v', 4000);
        for (int i = 0; i < 48; i++) // ~3 MiB
        {
            var builder = new RecordBatchBuilder();
            for (int r = 0; r < 16; r++)
                builder.Add($"key-{r}", value);
            _broker.Partitions.Tell(new AppendBatches(partition, builder.Build()), TestActor);
            Assert.Equal(ErrorCode.None, ExpectMsg<AppendBatchesResult>(Timeout).Error);
        }
        string segment = Directory.GetFiles(Path.Combine(_dataDir.Path, "logs", partition.EntityId), "*.log").Single();
        long size = new FileInfo(segment).Length;

        // The release stops at the share's boundary; the kernel keeps a folio that straddles it, so the check stops a
        // folio's worth (writes of 64 KiB make folios of at most that) before it.
        long releasedEnd = size - Budget - 64 * 1024;
        AwaitAssert(() =>
        {
            var pages = PageResidency.Of(segment);
            int cached = PageResidency.CachedPagesWithin(pages, 0, releasedEnd), all = PageResidency.PagesWithin(0, releasedEnd);
            Assert.True(cached <= all / 100, $"{cached} of {all} pages behind the newest {Budget} bytes are still cached: {string.Join(",", Enumerable.Range(0, pages.Length).Where(i => pages[i]))}");
        }, Timeout, TimeSpan.FromMilliseconds(200));
        var tail = PageResidency.Of(segment);
        Assert.Equal(PageResidency.PagesWithin(size - Budget, size), PageResidency.CachedPagesWithin(tail, size - Budget, size));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _dataDir.Dispose();
    }
}
