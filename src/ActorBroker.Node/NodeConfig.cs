using Akka.Configuration;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Membership;

namespace ActorBroker.Node;

/// <summary>A node's configuration: ACTORBROKER_POSTGRES, command-line overrides, then the --config file, then the reference file.</summary>
public static class NodeConfig
{
    /// <summary>Overrides <c>actorbroker.postgres.connection-string</c> (the shared journal of cluster mode) when set.</summary>
    public const string PostgresVariable = "ACTORBROKER_POSTGRES";

    public static Config Build(RunOptions options)
    {
        var config = ActorBrokerConfig.Reference();
        if (options.ConfigFile is { } file)
        {
            if (!File.Exists(file))
                throw new UsageException($"Config file '{file}' does not exist.");
            config = ActorBrokerConfig.ParseFile(file).WithFallback(config);
        }
        config = ConfigurationFactory.ParseString(string.Join('\n', options.HoconOverrides())).WithFallback(config);
        if (Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } postgres)
            config = ConfigurationFactory.ParseString($"actorbroker.postgres.connection-string = {ActorBrokerConfig.Quote(postgres)}").WithFallback(config);
        return BrokerIdentity.WithRoles(ActorBrokerConfig.WithDefaultJournal(config));
    }
}
