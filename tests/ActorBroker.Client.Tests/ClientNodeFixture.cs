using ActorBroker.TestKit;

namespace ActorBroker.Client.Tests;

/// <summary>
/// One node process with a fixed Akka port (so a client can join it), shared by the tests of a class (they use
/// distinct topics and groups), and a client connected to it.
/// </summary>
public sealed class ClientNodeFixture : IAsyncLifetime
{
    private NodeProcess? _node;
    private ActorBrokerClient? _client;

    public NodeProcess Node => _node ?? throw new InvalidOperationException("The node fixture did not start.");

    public ActorBrokerClient Client => _client ?? throw new InvalidOperationException("The client did not connect.");

    public async Task InitializeAsync()
    {
        _node = await StartNodeAsync();
        _client = await ActorBrokerClient.ConnectAsync(ClientOptions(_node));
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
            await _client.DisposeAsync();
        if (_node is not null)
            await _node.DisposeAsync();
    }

    /// <summary>Creates a topic no other test uses (through the proxy admin) and runs <paramref name="body"/> on it, with the node's log on failure.</summary>
    public Task WithTopicAsync(string prefix, int partitions, Func<string, Task> body) =>
        Node.WithLogOnFailureAsync(async () =>
        {
            string topic = ActorBroker.Compatibility.Tests.TestTopics.Unique(prefix);
            await Client.Admin.CreateTopicAsync(topic, partitions);
            await body(topic);
        });

    /// <summary>A node with a fixed Akka port and no initial rebalance delay.</summary>
    public static Task<NodeProcess> StartNodeAsync() =>
        NodeProcess.StartAsync(new NodeOptions { AkkaPort = FreePort.Next(), ExtraConfig = "actorbroker.groups.initial-rebalance-delay = 0s\n" });

    /// <summary>Client options joining <paramref name="node"/>, with reconnection quick enough for tests.</summary>
    public static ActorBrokerClientOptions ClientOptions(NodeProcess node) =>
        ActorBrokerClientOptions.Create(Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
            .WithSeedNodes(node.AkkaEndpoint) with
        {
            ReconnectAfter = TimeSpan.FromSeconds(1),
            Log = line => Console.WriteLine(line),
        };
}
