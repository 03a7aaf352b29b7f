using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Sharding;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster;

/// <summary>
/// The broker's actors on one node: the "partition" shard region and a proxy to the topic registry singleton.
/// Everything that serves clients (gateway, proxies, admin) reaches the broker through these two references.
/// </summary>
public sealed record BrokerServices(ActorSystem System, ActorBrokerSettings Settings, IActorRef Partitions, IActorRef Topics)
{
    public const string PartitionTypeName = "partition";

    /// <summary>Starts the shard region and the registry singleton (manager and proxy) on this node.</summary>
    public static BrokerServices Start(ActorSystem system, ActorBrokerSettings settings)
    {
        Directory.CreateDirectory(settings.LogsDirectory);
        var topicsProxy = system.ActorOf(
            ClusterSingletonProxy.Props($"/user/{TopicRegistry.Name}", ClusterSingletonProxySettings.Create(system)),
            TopicRegistry.Name + "-proxy");

        var partitions = ClusterSharding.Get(system).Start(
            PartitionTypeName,
            entityId => PartitionActor.Props(TopicPartition.ParseEntityId(entityId), settings, topicsProxy),
            ClusterShardingSettings.Create(system),
            new PartitionMessageExtractor(settings.ShardCount));

        system.ActorOf(
            ClusterSingletonManager.Props(
                TopicRegistry.Props(settings, partitions),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system)),
            TopicRegistry.Name);

        return new BrokerServices(system, settings, partitions, topicsProxy);
    }
}
