using Akka.Configuration;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Membership;

namespace ActorBroker.Node;

/// <summary>A node's configuration: command-line overrides, then the --config file, then the reference file.</summary>
public static class NodeConfig
{
    public static Config Build(RunOptions options)
    {
        var config = ActorBrokerConfig.Reference();
        if (options.ConfigFile is { } file)
        {
            if (!File.Exists(file))
                throw new UsageException($"Config file '{file}' does not exist.");
            config = ConfigurationFactory.ParseString(File.ReadAllText(file)).WithFallback(config);
        }
        config = ConfigurationFactory.ParseString(string.Join('\n', options.HoconOverrides())).WithFallback(config);
        return BrokerIdentity.WithRoles(ActorBrokerConfig.WithDefaultJournal(config));
    }
}
