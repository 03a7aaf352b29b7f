using System.Runtime.InteropServices;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker run</c>: start a node and serve until SIGINT or SIGTERM.</summary>
public static class RunCommand
{
    public const string Help = """
        actorbroker run [options]

        Starts a broker node: a Kafka protocol listener backed by an Akka.NET cluster member. With no --seed the
        node forms a one-node cluster of its own and keeps its journal in SQLite under the data directory.
        Stop it with Ctrl+C or SIGTERM: it closes client connections, leaves the cluster (its shards and, if it has
        it, the topic registry move to other nodes first), flushes every partition log and exits.

        If the cluster downs the node instead (its split brain resolver, after the node was paused or cut off for
        longer than the failure detector allows), the process does not exit: it logs why, starts a new actor system
        with the same node id, ports and data directory, and rejoins through the seeds (a new incarnation).

        Cluster mode: --config hocon/cluster-node.conf (shared PostgreSQL journal, split brain resolver; the
        connection string comes from ACTORBROKER_POSTGRES) and --seed for each seed node; scripts/cluster.sh does it.

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
        var incarnations = new NodeIncarnations(config, Console.Out);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            incarnations.RequestStop();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await incarnations.RunAsync().ConfigureAwait(false);
    }
}
