using Akka.Actor;
using Akka.Configuration;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Membership;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.TestKit;

/// <summary>
/// Builds the configuration of a one-node broker cluster over a data directory (SQLite journal inside it) and
/// starts its actor system and broker actors; several systems can be started one after the other on the same
/// directory to prove what survives a restart.
/// </summary>
public static class BrokerSystem
{
    /// <param name="layer">A config between the test's HOCON and the reference file, e.g. hocon/postgres-journal.conf.</param>
    public static Config Config(string dataDir, string extraHocon = "", Config? layer = null) =>
        BrokerIdentity.WithRoles(ActorBrokerConfig.WithDefaultJournal(
            ConfigurationFactory.ParseString($"""
                actorbroker.data-dir = {ActorBrokerConfig.Quote(dataDir)}
                actorbroker.log.flush-interval = 100ms
                akka.loglevel = WARNING
                akka.remote.dot-netty.tcp.port = 0
                {extraHocon}
                """)
            .WithFallback(layer ?? Akka.Configuration.Config.Empty)
            .WithFallback(ActorBrokerConfig.Reference())));

    /// <summary>Joins <paramref name="system"/> to <paramref name="joinTo"/> (by default itself), waits until it is Up,
    /// then starts the broker actors.</summary>
    public static async Task<BrokerServices> StartBrokerAsync(ActorSystem system, Address? joinTo = null)
    {
        var cluster = AkkaCluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(joinTo ?? cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return BrokerServices.Start(system, ActorBrokerSettings.Create(system.Settings.Config));
    }

    public static async Task<(ActorSystem System, BrokerServices Broker)> StartAsync(string dataDir, string extraHocon = "", Config? layer = null)
    {
        var system = ActorSystem.Create("actorbroker", Config(dataDir, extraHocon, layer));
        return (system, await StartBrokerAsync(system));
    }

    public static async Task StopAsync(ActorSystem system)
    {
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
    }
}

/// <summary>A temporary directory deleted with the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "actorbroker-tests", Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a file still open by a stopping system; the OS temp cleaner gets it
        }
    }
}
