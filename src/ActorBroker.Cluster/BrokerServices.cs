using Akka.Event;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Replication;
using ActorBroker.Cluster.Replication.Stream;
using ActorBroker.Cluster.Sharding;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster;

/// <summary>
/// The broker's actors on one node: the "partition" and "group" shard regions and a proxy to the topic registry
/// singleton. Everything that serves clients (gateway, proxies, admin) reaches the broker through these references.
/// </summary>
public sealed record BrokerServices(
    ActorSystem System,
    ActorBrokerSettings Settings,
    IActorRef Partitions,
    IActorRef Topics,
    IActorRef Groups,
    BrokerDirectory Brokers,
    LocalReplicas Replicas)
{
    public const string PartitionTypeName = "partition";
    public const string GroupTypeName = "group";

    /// <summary>Starts the shard region and the registry singleton (manager and proxy) on this node.</summary>
    public static BrokerServices Start(ActorSystem system, ActorBrokerSettings settings)
    {
        if (!Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(BrokerIdentity.BrokerRole))
            throw new InvalidOperationException(
                $"This actor system lacks the '{BrokerIdentity.BrokerRole}' cluster role; build its config with BrokerIdentity.WithRoles.");
        Directory.CreateDirectory(settings.LogsDirectory);
        var brokers = BrokerDirectory.Start(system);
        var topicsProxy = StartRegistryProxy(system);
        var localReplicas = new LocalReplicas(settings.PageCacheBudget);
        var sharding = ClusterSharding.Get(system); // loads sharding's default config, which the settings read
        var shardingSettings = ClusterShardingSettings.Create(system).WithRole(BrokerIdentity.BrokerRole);

        var partitions = sharding.Start(
            PartitionTypeName,
            entityId => PartitionActor.Props(TopicPartition.ParseEntityId(entityId), settings, topicsProxy, localReplicas),
            shardingSettings,
            new PartitionMessageExtractor(),
            new LeaderShardAllocationStrategy(system, topicsProxy, brokers, TimeSpan.FromSeconds(5)),
            PoisonPill.Instance);

        var fetchClient = StartReplicationStream(system, settings, partitions, brokers);
        localReplicas.Manager = system.ActorOf(ReplicaManager.Props(settings, partitions, localReplicas, fetchClient), ReplicaManager.Name);

        var groupSettings = GroupSettings.Create(system.Settings.Config);
        var groups = sharding.Start(
            GroupTypeName,
            groupId => GroupCoordinator.Props(groupId, groupSettings),
            shardingSettings,
            new GroupMessageExtractor(settings.ShardCount));

        system.ActorOf(
            ClusterSingletonManager.Props(
                TopicRegistry.Props(settings, partitions),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithRole(BrokerIdentity.BrokerRole)),
            TopicRegistry.Name);

        _ = GroupDirectory.WakePersistedGroupsAsync(system, groups).ContinueWith(
            t => system.Log.Warning("Could not wake the persisted consumer groups: {0}", t.Exception?.GetBaseException().Message),
            TaskContinuationOptions.OnlyOnFaulted);
        system.ActorOf(RemovedBrokerGroupWaker.Props(groups), RemovedBrokerGroupWaker.Name);
        return new BrokerServices(system, settings, partitions, topicsProxy, groups, brokers, localReplicas);
    }

    /// <summary>
    /// The replication stream's listener (followers elsewhere fetch from this node's leaders through it) and the client
    /// this node's followers fetch with; both close when the actor system terminates. The listener binds the address
    /// Akka remoting binds and is advertised under the host Akka advertises (its public hostname, if one is set).
    /// </summary>
    private static ReplicaFetchClient StartReplicationStream(ActorSystem system, ActorBrokerSettings settings, IActorRef partitions, BrokerDirectory brokers)
    {
        var remote = system.Settings.Config.GetConfig("akka.remote.dot-netty.tcp");
        string bindHost = remote?.GetString("bind-hostname", "") is { Length: > 0 } bind ? bind : remote?.GetString("hostname", "") ?? "";
        string host = Akka.Cluster.Cluster.Get(system).SelfAddress.Host ?? bindHost;
        var listener = ReplicationListener.Start(bindHost, settings.Replication.ListenPort, partitions, system.Log);
        system.ActorOf(ReplicationEndpointActor.Props(new ReplicationEndpoint(host, listener.Port)), ReplicationEndpointActor.Name);
        system.Log.Info("Replication listener on {0}:{1}, advertised as {2}:{1}", bindHost, listener.Port, host);
        var client = new ReplicaFetchClient(system, brokers);
        system.RegisterOnTermination(() =>
        {
            client.Dispose();
            listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        return client;
    }

    /// <summary>A proxy to the topic registry singleton (which runs on the oldest broker); any member may start one.</summary>
    public static IActorRef StartRegistryProxy(ActorSystem system) =>
        system.ActorOf(
            ClusterSingletonProxy.Props(
                $"/user/{TopicRegistry.Name}",
                ClusterSingletonProxySettings.Create(system).WithRole(BrokerIdentity.BrokerRole)),
            TopicRegistry.Name + "-proxy");
}
