using System.Runtime.InteropServices;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker run</c>: start a node and serve until SIGINT or SIGTERM.</summary>
public static class RunCommand
{
    public const string Help = """
        actorbroker run [options]

        Starts a broker node: a Kafka protocol listener backed by an Akka.NET cluster member. With no --seed the
        node forms a one-node cluster of its own and keeps its journal in SQLite under the data directory.
        Stop it with Ctrl+C or SIGTERM: it closes client connections, flushes every partition log and exits.

        Options (each overrides the HOCON key in brackets):
          --config FILE         HOCON file layered over the built-in defaults (hocon/actorbroker.reference.conf)
          --kafka-listen H:P    address of the Kafka listener [actorbroker.kafka.listen], default 127.0.0.1:9092
          --advertised H:P      address clients are told to use [actorbroker.kafka.advertised], default = listen
          --data-dir DIR        partition logs and the SQLite journal [actorbroker.data-dir], default ./data
          --node-id N           broker id clients see [actorbroker.node-id], default 1
          --akka-host HOST      Akka remoting host [akka.remote.dot-netty.tcp.hostname], default 127.0.0.1
          --akka-port P         Akka remoting port [akka.remote.dot-netty.tcp.port], default 0 (any free port)
          --seed H:P            a seed node's Akka host:port [akka.cluster.seed-nodes]; repeat for several

        Example:
          actorbroker run --data-dir ./data --kafka-listen 127.0.0.1:9092
        """;

    public static async Task<int> RunAsync(CommandLine line)
    {
        var options = RunOptions.From(line);
        var config = NodeConfig.Build(options);
        await using var node = await BrokerNode.StartAsync(config).ConfigureAwait(false);

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        Console.WriteLine($"ActorBroker ready: Kafka listener on {node.KafkaEndPoint}, node {node.Broker.Settings.NodeId}, data in {node.Broker.Settings.DataDirectory}");
        await Task.WhenAny(stop.Task, node.Terminated).ConfigureAwait(false);
        Console.WriteLine("ActorBroker stopping: closing connections and flushing partition logs");
        await node.StopAsync().ConfigureAwait(false);
        Console.WriteLine("ActorBroker stopped");
        return 0;
    }
}
