using Akka.Configuration;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Persistence;

/// <summary>hocon/cluster-node.conf and postgres-journal.conf as a node reads them (NodeConfig layers the same way).</summary>
public class ClusterNodeConfigTests
{
    private static string Hocon(string file) => Path.Combine(RepoPaths.Root, "hocon", file);

    private static Config Node(string file, string overrides = "") =>
        ActorBrokerConfig.WithDefaultJournal(
            ConfigurationFactory.ParseString(overrides)
                .WithFallback(ActorBrokerConfig.ParseFile(Hocon(file)))
                .WithFallback(ActorBrokerConfig.Reference()));

    [Fact]
    public void Cluster_node_conf_includes_the_postgres_journal_and_fills_journal_snapshots_and_query_with_one_connection_string()
    {
        var config = Node("cluster-node.conf", """actorbroker.postgres.connection-string = "Host=127.0.0.9;Port=6543;Database=x;Username=postgres" """);

        foreach (string key in new[] { "akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql", "akka.persistence.query.journal.sql" })
        {
            Assert.Equal("PostgreSQL.15", config.GetString(key + ".provider-name"));
            Assert.Equal("Host=127.0.0.9;Port=6543;Database=x;Username=postgres", config.GetString(key + ".connection-string"));
        }
    }

    [Fact]
    public void Cluster_node_conf_downs_with_keep_majority_counting_only_brokers()
    {
        var config = Node("cluster-node.conf");

        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", config.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("broker", config.GetString("akka.cluster.split-brain-resolver.keep-majority.role"));
        var detection = config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause")
                        + config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after");
        Assert.True(detection <= TimeSpan.FromSeconds(10), $"a dead node is downed after about {detection}");
    }

    [Fact]
    public void The_strategy_is_configurable_by_a_later_layer()
    {
        var config = Node("cluster-node.conf", "akka.cluster.split-brain-resolver.active-strategy = keep-oldest");

        Assert.Equal("keep-oldest", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("broker", config.GetString("akka.cluster.split-brain-resolver.keep-oldest.role"));
    }

    [Fact]
    public void Without_postgres_the_journal_stays_SQLite_in_the_data_directory()
    {
        var config = ActorBrokerConfig.WithDefaultJournal(
            ConfigurationFactory.ParseString("actorbroker.data-dir = \"/tmp/somewhere\"").WithFallback(ActorBrokerConfig.Reference()));

        Assert.Equal("SQLite.MS", config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal("Data Source=/tmp/somewhere/journal.db;Pooling=True", config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal("Data Source=/tmp/somewhere/journal.db;Pooling=True", config.GetString("akka.persistence.query.journal.sql.connection-string"));
    }

    [Fact]
    public void An_explicit_journal_connection_string_is_kept()
    {
        var config = Node("postgres-journal.conf", """akka.persistence.journal.sql.connection-string = "Host=db;Database=j" """);

        Assert.Equal("Host=db;Database=j", config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal(config.GetString("actorbroker.postgres.connection-string"), config.GetString("akka.persistence.snapshot-store.sql.connection-string"));
    }
}
