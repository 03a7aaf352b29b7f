using Akka.Actor;
using Akka.Configuration;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Topics;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.TestKit;

/// <summary>
/// Several broker nodes as actor systems in this process, joined into one Akka cluster over real remoting
/// (127.0.0.1, free ports): each has its own node id and data directory, and all share one journal (a SQLite file,
/// standing in for cluster mode's shared PostgreSQL). Nodes can be downed as the split brain resolver would.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly List<(ActorSystem System, BrokerServices Broker)> _nodes = new();

    private readonly string _extraHocon;

    private InProcessCluster(string extraHocon) => _extraHocon = extraHocon;

    public IReadOnlyList<BrokerServices> Brokers => _nodes.Select(n => n.Broker).ToList();

    /// <summary>The broker with node id <paramref name="nodeId"/> (node ids are 1..N).</summary>
    public BrokerServices Node(int nodeId) => _nodes[nodeId - 1].Broker;

    public string DataDirectory(int nodeId) => Path.Combine(_root.Path, $"node-{nodeId}");

    public static async Task<InProcessCluster> StartAsync(int nodes, string extraHocon = "")
    {
        var cluster = new InProcessCluster(extraHocon);
        for (int id = 1; id <= nodes; id++)
            await cluster.StartNodeAsync();
        await cluster.WaitForAsync(() => cluster._nodes.All(n => n.Broker.Brokers.Current.Live.Count() == nodes), TimeSpan.FromSeconds(30),
            $"every node sees {nodes} live brokers");
        return cluster;
    }

    /// <summary>Starts one more node (the next node id), which joins the cluster; returns its node id once it is a live broker.</summary>
    public async Task<int> AddNodeAsync()
    {
        var broker = await StartNodeAsync();
        int id = _nodes.Count;
        var running = _nodes.Where(n => !n.System.WhenTerminated.IsCompleted).ToList();
        await WaitForAsync(() => running.All(n => n.Broker.Brokers.Current.Live.Any(b => b.Identity.NodeId == id))
                                 && broker.Brokers.Current.Live.Count() == running.Count,
            TimeSpan.FromSeconds(30), $"node {id} and every running node see each other live");
        return id;
    }

    private async Task<BrokerServices> StartNodeAsync()
    {
        int id = _nodes.Count + 1;
        string journal = ActorBrokerConfig.Quote($"Data Source={Path.Combine(_root.Path, "journal.db")};Pooling=True");
        var config = BrokerSystem.Config(DataDirectory(id), $"""
            actorbroker.node-id = {id}
            actorbroker.kafka.listen = "127.0.0.1:{9000 + id}"
            akka.persistence.journal.sql.connection-string = {journal}
            akka.persistence.snapshot-store.sql.connection-string = {journal}
            akka.persistence.query.journal.sql.connection-string = {journal}
            {_extraHocon}
            """);
        var system = ActorSystem.Create("actorbroker", config);
        var joinTo = _nodes.Count == 0 ? AkkaCluster.Get(system).SelfAddress : AkkaCluster.Get(_nodes[0].System).SelfAddress;
        var broker = await BrokerSystem.StartBrokerAsync(system, joinTo);
        _nodes.Add((system, broker));
        return broker;
    }

    /// <summary>Downs node <paramref name="nodeId"/> from another node, as the split brain resolver does with a crashed one.</summary>
    public async Task DownAsync(int nodeId)
    {
        var victim = _nodes[nodeId - 1].System;
        var survivor = _nodes.First(n => n.System != victim && !n.System.WhenTerminated.IsCompleted).System;
        AkkaCluster.Get(survivor).Down(AkkaCluster.Get(victim).SelfAddress);
        await victim.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The topic as the controller describes it now, asked through node <paramref name="viaNode"/>.</summary>
    public async Task<TopicDescription> DescribeAsync(string topic, int viaNode)
    {
        var result = await Node(viaNode).Topics.Ask<DescribeTopicsResult>(new DescribeTopics([topic], AutoCreate: false), TimeSpan.FromSeconds(15));
        return result.Topics.Single().Topic ?? throw new InvalidOperationException($"Topic {topic} does not exist.");
    }

    public Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitForAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Polls <paramref name="condition"/>; an ask that times out (an actor moving between nodes) counts as "not yet".</summary>
    public async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await Holds(condition))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting until {what}.");
            await Task.Delay(200);
        }
    }

    private static async Task<bool> Holds(Func<Task<bool>> condition)
    {
        try
        {
            return await condition();
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (system, _) in Enumerable.Reverse(_nodes))
        {
            if (!system.WhenTerminated.IsCompleted)
                await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _root.Dispose();
    }
}
