using Akka.Actor;
using Akka.Cluster.Sharding;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Sharding;
using ActorBroker.Protocol;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Client;

/// <summary>
/// One incarnation of the client's cluster membership: an actor system with the role "client" that joined the
/// brokers, and the proxies through which it reaches their actors. It hosts no partitions, groups or registry.
/// <see cref="Lost"/> completes (with the reason) when the brokers are gone for good from this incarnation's view
/// or the system terminated (downed); the client then starts a new incarnation.
/// </summary>
internal sealed class ClientConnection
{
    private readonly CancellationTokenSource _lostSource = new();

    private ClientConnection(ActorSystem system, IActorRef partitions, IActorRef groups, IActorRef topics, ClientBrokerView brokers, Task<string> lost)
    {
        System = system;
        Partitions = partitions;
        Groups = groups;
        Topics = topics;
        Brokers = brokers;
        Lost = lost;
        _ = lost.ContinueWith(_ => _lostSource.Cancel(), TaskScheduler.Default);
    }

    public ActorSystem System { get; }
    public IActorRef Partitions { get; }
    public IActorRef Groups { get; }
    public IActorRef Topics { get; }
    public ClientBrokerView Brokers { get; }
    public Task<string> Lost { get; }

    /// <summary>Joins the seeds and waits until this member is Up; fails with BROKER_NOT_AVAILABLE after the connect timeout.</summary>
    public static async Task<ClientConnection> StartAsync(ActorBrokerClientOptions options, CancellationToken cancellationToken)
    {
        if (options.SeedNodes.Count == 0)
            throw new ActorBrokerException(ErrorCode.InvalidConfig, "No seed nodes: set actorbroker.client.seed-nodes (a broker's HOST:AKKA-PORT).");
        var system = ActorSystem.Create(options.SystemName, options.ActorSystemConfig());
        try
        {
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var brokers = new ClientBrokerView();
            AkkaCluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
            system.ActorOf(BrokerLossWatcher.Props(options.ReconnectAfter, brokers, found, lost), "broker-loss-watcher");
            try
            {
                await Task.WhenAll(up.Task, found.Task).WaitAsync(options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new ActorBrokerException(ErrorCode.BrokerNotAvailable,
                    $"No ActorBroker node admitted this client within {options.ConnectTimeout.TotalSeconds:0.#} s " +
                    $"(seed nodes: {string.Join(", ", options.SeedAddresses)}). Check that a broker runs there and that its Akka " +
                    "endpoint (--akka-host/--akka-port) is reachable from this host.", e);
            }

            _ = system.WhenTerminated.ContinueWith(_ => lost.TrySetResult("the client's actor system terminated (downed by the cluster)"), TaskScheduler.Default);
            int shardCount = system.Settings.Config.GetInt("actorbroker.shard-count");
            var sharding = ClusterSharding.Get(system);
            var partitions = sharding.StartProxy(BrokerServices.PartitionTypeName, BrokerIdentity.BrokerRole, new PartitionMessageExtractor());
            var groups = sharding.StartProxy(BrokerServices.GroupTypeName, BrokerIdentity.BrokerRole, new GroupMessageExtractor(shardCount));
            var topics = BrokerServices.StartRegistryProxy(system);
            return new ClientConnection(system, partitions, groups, topics, brokers, lost.Task);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Asks <paramref name="target"/> (the message is sent before this returns, so sends keep their order). The ask
    /// ends early, with a retriable NETWORK_EXCEPTION, when this membership is lost: the request may or may not have
    /// been applied, and waiting out the timeout would not tell.
    /// </summary>
    public async Task<T> AskAsync<T>(IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lostSource.Token);
        try
        {
            return await ActorBrokerClient.AnswerAsync(target.Ask<T>(message, timeout, linked.Token), message, timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (_lostSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ActorBrokerException(ErrorCode.NetworkException,
                $"The client lost its brokers while waiting for the answer to {message.GetType().Name}; it may or may not have been applied.", e);
        }
    }

    /// <summary>Leaves the cluster (so brokers do not wait for this member's failure detection) and stops the system.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        try
        {
            await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await System.Terminate().ConfigureAwait(false);
        }
    }
}
