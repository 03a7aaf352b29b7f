using Akka.Actor;
using Akka.Configuration;

namespace ActorBroker.Node;

/// <summary>
/// Keeps a node serving across incarnations of its actor system. When the cluster downs this node (the split brain
/// resolver after a pause or a network cut: <see cref="CoordinatedShutdown.ClusterDowningReason"/>) or it could not
/// join its seeds, Akka terminates the actor system and that member can never come back; this starts a new actor
/// system with the same config (same node id, ports and data directory), which joins through the seeds as a new
/// incarnation. A user stop (<see cref="RequestStop"/>: SIGINT or SIGTERM) ends the loop with a graceful leave.
/// </summary>
public sealed class NodeIncarnations(Config config, TextWriter log)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void RequestStop() => _stop.TrySetResult();

    /// <summary>Whether an actor system that stopped for <paramref name="reason"/> (without a user stop) is replaced by a new incarnation.</summary>
    public static bool Restarts(CoordinatedShutdown.Reason? reason) =>
        reason is CoordinatedShutdown.ClusterDowningReason or CoordinatedShutdown.ClusterJoinUnsuccessfulReason;

    /// <summary>Runs incarnations until a user stop; returns the exit code (0, or 1 when the system stopped for another reason).</summary>
    public async Task<int> RunAsync()
    {
        int incarnation = 0;
        while (!_stop.Task.IsCompleted)
        {
            incarnation++;
            BrokerNode node;
            try
            {
                node = await BrokerNode.StartAsync(config).ConfigureAwait(false);
            }
            catch (KafkaPortUnavailableException ex) when (incarnation == 1)
            {
                throw new Admin.CommandFailedException(ex.Message);
            }
            catch (Exception ex) when (incarnation > 1 && ex is TimeoutException or InvalidOperationException or KafkaPortUnavailableException or System.Net.Sockets.SocketException)
            {
                log.WriteLine($"ActorBroker: incarnation {incarnation} could not start ({ex.Message}); trying again in {RetryDelay.TotalSeconds:0} s");
                await Task.WhenAny(_stop.Task, Task.Delay(RetryDelay)).ConfigureAwait(false);
                continue;
            }
            log.WriteLine($"{NodeReady.Line(node)}{(incarnation > 1 ? $" (incarnation {incarnation}, rejoined the cluster)" : "")}");

            await Task.WhenAny(_stop.Task, node.Terminated).ConfigureAwait(false);
            if (_stop.Task.IsCompleted || node.ShutdownReason is CoordinatedShutdown.ClrExitReason)
            {
                log.WriteLine("ActorBroker stopping: closing connections and flushing partition logs");
                await node.StopAsync().ConfigureAwait(false);
                log.WriteLine("ActorBroker stopped");
                return 0;
            }

            var reason = node.ShutdownReason;
            await node.StopAsync().ConfigureAwait(false); // closes the Kafka listener; the actor system is already gone
            if (!Restarts(reason))
            {
                log.WriteLine($"ActorBroker: the actor system stopped ({Describe(reason)}) without a stop request; exiting");
                return 1;
            }
            log.WriteLine(
                $"ActorBroker: this node was removed from the cluster ({Describe(reason)}): its actor system stopped and its shards moved " +
                $"to other nodes. Starting a new incarnation (same node id, ports and data directory) that rejoins through the seeds.");
        }
        return 0;
    }

    private static string Describe(CoordinatedShutdown.Reason? reason) => reason switch
    {
        CoordinatedShutdown.ClusterDowningReason => "downed by the cluster: unreachable for too long, e.g. paused or cut off",
        CoordinatedShutdown.ClusterJoinUnsuccessfulReason => "could not join the seed nodes",
        null => "no reason given",
        _ => reason.GetType().Name,
    };
}

/// <summary>The line a node prints once it serves; scripts and tests wait for it.</summary>
public static class NodeReady
{
    public const string Marker = "ActorBroker ready";

    public static string Line(BrokerNode node) =>
        $"{Marker}: Kafka listener on {node.KafkaEndPoint}, node {node.Broker.Settings.NodeId}, data in {node.Broker.Settings.DataDirectory}";
}
