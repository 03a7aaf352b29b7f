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

        var system = ActorSystem.Create(SystemName, config);
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
            var gateway = KafkaGateway.Start(broker, gatewaySettings);
            return new BrokerNode(system, broker, gateway);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
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
