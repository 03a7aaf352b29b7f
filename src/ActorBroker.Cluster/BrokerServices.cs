using Akka.Event;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Sharding;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster;

/// <summary>
/// The broker's actors on one node: the "partition" and "group" shard regions and a proxy to the topic registry
/// singleton. Everything that serves clients (gateway, proxies, admin) reaches the broker through these references.
/// </summary>
public sealed record BrokerServices(ActorSystem System, ActorBrokerSettings Settings, IActorRef Partitions, IActorRef Topics, IActorRef Groups)
{
    public const string PartitionTypeName = "partition";
    public const string GroupTypeName = "group";

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

        var groupSettings = GroupSettings.Create(system.Settings.Config);
        var groups = ClusterSharding.Get(system).Start(
            GroupTypeName,
            groupId => GroupCoordinator.Props(groupId, groupSettings),
            ClusterShardingSettings.Create(system),
            new GroupMessageExtractor(settings.ShardCount));

        system.ActorOf(
            ClusterSingletonManager.Props(
                TopicRegistry.Props(settings, partitions),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system)),
            TopicRegistry.Name);

        _ = GroupDirectory.WakePersistedGroupsAsync(system, groups).ContinueWith(
            t => system.Log.Warning("Could not wake the persisted consumer groups: {0}", t.Exception?.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
        return new BrokerServices(system, settings, partitions, topicsProxy, groups);
    }
}
