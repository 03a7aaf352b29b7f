using Akka.Actor;
using Akka.Configuration;
using ActorBroker.Cluster;
using ActorBroker.Gateway;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Node;

/// <summary>
/// A running node: the actor system (a cluster member; with no seed nodes it forms a cluster of its own), the
/// broker's actors and the Kafka gateway. <see cref="StopAsync"/> closes client connections first, then leaves the
/// cluster so partitions close (and flush) their logs.
/// </summary>
public sealed class BrokerNode : IAsyncDisposable
{
    public const string SystemName = "actorbroker";
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);

    private readonly ActorSystem _system;
    private readonly KafkaGateway _gateway;

    private BrokerNode(ActorSystem system, BrokerServices broker, KafkaGateway gateway)
    {
        _system = system;
        Broker = broker;
        _gateway = gateway;
    }

    public BrokerServices Broker { get; }

    public System.Net.IPEndPoint KafkaEndPoint => _gateway.LocalEndPoint;

    public Task Terminated => _system.WhenTerminated;

    /// <summary>Why the actor system shut down (null while it runs or when it stopped without coordinated shutdown).</summary>
    public CoordinatedShutdown.Reason? ShutdownReason => CoordinatedShutdown.Get(_system).ShutdownReason;

    public static async Task<BrokerNode> StartAsync(Config config)
    {
        var settings = ActorBrokerSettings.Create(config);
        Directory.CreateDirectory(settings.DataDirectory);
        string clusterId = ClusterIdFile.ReadOrCreate(settings.DataDirectory);
        var gatewaySettings = GatewaySettings.Create(config, clusterId);

        // The Kafka port first: Akka remoting and the replication listener may bind port 0, and the kernel could hand
        // either of them the Kafka port this node held a moment ago (a restart after a crash).
        var kafkaListener = BindKafkaListener(gatewaySettings);
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(SystemName, config);
        }
        catch
        {
            await kafkaListener.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        try
        {
            var cluster = AkkaCluster.Get(system);
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            if (config.GetStringList("akka.cluster.seed-nodes").Count == 0)
                cluster.Join(cluster.SelfAddress);
            if (await Task.WhenAny(up.Task, Task.Delay(JoinTimeout)).ConfigureAwait(false) != up.Task)
                throw new TimeoutException($"This node did not become an Up cluster member within {JoinTimeout.TotalSeconds} s; check the seed nodes.");

            var broker = BrokerServices.Start(system, settings);
            var gateway = KafkaGateway.Start(broker, gatewaySettings, kafkaListener);
            return new BrokerNode(system, broker, gateway);
        }
        catch
        {
            await kafkaListener.DisposeAsync().ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    private static KafkaListener BindKafkaListener(GatewaySettings settings)
    {
        try
        {
            return KafkaListener.Bind(settings);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new KafkaPortUnavailableException(settings.Listen, ex);
        }
    }

    public async Task StopAsync()
    {
        await _gateway.DisposeAsync().ConfigureAwait(false);
        await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        await _system.WhenTerminated.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>The Kafka listener's address could not be bound (most often: another process holds the port).</summary>
public sealed class KafkaPortUnavailableException(System.Net.IPEndPoint listen, System.Net.Sockets.SocketException inner)
    : IOException(
        $"Cannot listen for Kafka clients on {listen}: {inner.Message}. If another broker runs there, stop it or choose another address with --kafka-listen.",
        inner);

/// <summary>The cluster id Kafka clients see, created once per data directory (like Kafka's meta.properties).</summary>
public static class ClusterIdFile
{
    public const string FileName = "cluster-id";

    public static string ReadOrCreate(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
            return File.ReadAllText(path).Trim();
        string id = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        File.WriteAllText(path, id + "\n");
        return id;
    }
}
