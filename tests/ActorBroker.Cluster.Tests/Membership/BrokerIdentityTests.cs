using Akka.Configuration;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Membership;
using Xunit;

namespace ActorBroker.Cluster.Tests.Membership;

public sealed class BrokerIdentityTests
{
    private static Config NodeConfig(string hocon) =>
        ConfigurationFactory.ParseString(hocon).WithFallback(ActorBrokerConfig.Reference());

    [Fact]
    public void Roles_carry_the_node_id_and_advertised_listener_and_parse_back()
    {
        var identity = new BrokerIdentity(3, "127.0.0.3", 9092);

        Assert.Equal(["broker", "node-id=3", "kafka=127.0.0.3:9092"], identity.Roles);
        Assert.Equal(identity, BrokerIdentity.FromRoles(identity.Roles));
    }

    [Fact]
    public void A_member_without_the_broker_role_is_not_a_broker()
    {
        Assert.Null(BrokerIdentity.FromRoles(["client", "node-id=3", "kafka=127.0.0.3:9092"]));
        Assert.Null(BrokerIdentity.FromRoles(["broker", "kafka=127.0.0.3:9092"]));
        Assert.Null(BrokerIdentity.FromRoles(["broker", "node-id=3", "kafka=no-port"]));
    }

    [Fact]
    public void The_advertised_listener_wins_over_the_listen_address()
    {
        var config = NodeConfig("""
            actorbroker.node-id = 2
            actorbroker.kafka.listen = "0.0.0.0:9092"
            actorbroker.kafka.advertised = "[::1]:19092"
            """);

        Assert.Equal(new BrokerIdentity(2, "::1", 19092), BrokerIdentity.FromConfig(config));
    }

    [Fact]
    public void WithRoles_replaces_stale_identity_roles_and_keeps_the_others()
    {
        var config = NodeConfig("""
            actorbroker.node-id = 5
            actorbroker.kafka.listen = "127.0.0.5:9092"
            akka.cluster.roles = ["rack-a", "node-id=1", "broker"]
            """);

        var roles = BrokerIdentity.WithRoles(config).GetStringList("akka.cluster.roles");

        Assert.Equal(["rack-a", "broker", "node-id=5", "kafka=127.0.0.5:9092"], roles);
    }
}
