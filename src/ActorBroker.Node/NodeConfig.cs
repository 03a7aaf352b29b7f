using System.Reflection;
using Akka.Configuration;

namespace ActorBroker.Node;

/// <summary>
/// Builds a node's configuration: command-line overrides, then the --config file, then the embedded reference
/// file. Fills in what can only be known at start-up (the SQLite journal's path in the data directory).
/// </summary>
public static class NodeConfig
{
    public const string ReferenceResource = "actorbroker.reference.conf";

    public static Config Reference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ReferenceResource)
            ?? throw new InvalidOperationException($"The embedded {ReferenceResource} is missing from this build.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    public static Config Build(RunOptions options)
    {
        var config = Reference();
        if (options.ConfigFile is { } file)
        {
            if (!File.Exists(file))
                throw new UsageException($"Config file '{file}' does not exist.");
            config = ConfigurationFactory.ParseString(File.ReadAllText(file)).WithFallback(config);
        }
        config = ConfigurationFactory.ParseString(string.Join('\n', options.HoconOverrides())).WithFallback(config);
        return WithJournalDefaults(config);
    }

    /// <summary>An empty journal connection string means: SQLite in the data directory.</summary>
    private static Config WithJournalDefaults(Config config)
    {
        string dataDir = Path.GetFullPath(config.GetString("actorbroker.data-dir"));
        string sqlite = $"Data Source={Path.Combine(dataDir, "journal.db")};Pooling=True";
        var fills = new List<string>();
        if (string.IsNullOrEmpty(config.GetString("akka.persistence.journal.sql.connection-string")))
            fills.Add($"akka.persistence.journal.sql.connection-string = {Quote(sqlite)}");
        if (string.IsNullOrEmpty(config.GetString("akka.persistence.snapshot-store.sql.connection-string")))
            fills.Add($"akka.persistence.snapshot-store.sql.connection-string = {Quote(sqlite)}");
        return fills.Count == 0 ? config : ConfigurationFactory.ParseString(string.Join('\n', fills)).WithFallback(config);
    }

    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
