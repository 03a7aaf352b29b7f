using System.IO.Pipelines;
using Akka.Actor;
using Akka.Event;
using ActorBroker.Cluster;
using ActorBroker.Gateway;
using ActorBroker.TestKit;

namespace ActorBroker.Gateway.Tests;

/// <summary>
/// A one-node broker (actor system, partitions, registry) with its Kafka gateway listening on a free loopback port.
/// Clients connect over real sockets (<see cref="ConnectAsync"/>) or over in-memory pipes (<see cref="ConnectInMemory"/>).
/// </summary>
public sealed class GatewayFixture : IAsyncDisposable
{
    private readonly TempDirectory _dataDir;
    private readonly ActorSystem _system;
    private readonly KafkaGateway _gateway;
    private readonly RequestDispatcher _dispatcher;
    private readonly CancellationTokenSource _stopping = new();

    private GatewayFixture(TempDirectory dataDir, ActorSystem system, BrokerServices broker, GatewaySettings settings, KafkaGateway gateway)
    {
        _dataDir = dataDir;
        _system = system;
        Broker = broker;
        Settings = settings;
        _gateway = gateway;
        _dispatcher = new RequestDispatcher(KafkaGateway.CreateHandlers(), broker, settings, Logging.GetLogger(system, "test-gateway"));
    }

    public BrokerServices Broker { get; }
    public GatewaySettings Settings { get; }
    public int Port => _gateway.LocalEndPoint.Port;
    public string DataDirectory => _dataDir.Path;

    public static async Task<GatewayFixture> StartAsync(string extraHocon = "")
    {
        var dataDir = new TempDirectory();
        var (system, broker) = await BrokerSystem.StartAsync(dataDir.Path, "actorbroker.kafka.listen = \"127.0.0.1:0\"\n" + extraHocon);
        var settings = GatewaySettings.Create(system.Settings.Config, "test-cluster");
        var gateway = KafkaGateway.Start(broker, settings);
        var advertised = settings with { AdvertisedPort = gateway.LocalEndPoint.Port };
        return new GatewayFixture(dataDir, system, broker, advertised, gateway);
    }

    public Task<KafkaWireClient> ConnectAsync() => KafkaWireClient.ConnectAsync("127.0.0.1", Port);

    /// <summary>A client wired to a <see cref="KafkaConnection"/> through in-memory pipes: no socket involved.</summary>
    public KafkaWireClient ConnectInMemory()
    {
        var toBroker = new Pipe();
        var toClient = new Pipe();
        var connection = new KafkaConnection(null, _dispatcher, Settings, Logging.GetLogger(_system, "test-connection"));
        _ = Task.Run(() => connection.RunAsync(toBroker.Reader, toClient.Writer, _stopping.Token));
        return new KafkaWireClient(toClient.Reader.AsStream(), toBroker.Writer.AsStream());
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _gateway.DisposeAsync();
        await BrokerSystem.StopAsync(_system);
        _dataDir.Dispose();
    }
}
