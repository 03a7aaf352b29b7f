using Akka.Configuration;

namespace ActorBroker.Cluster;

/// <summary>
/// The broker's HOCON: the reference file (hocon/actorbroker.reference.conf, embedded in this assembly) and the
/// values only known at start-up.
/// </summary>
public static class ActorBrokerConfig
{
    public const string ReferenceResource = "actorbroker.reference.conf";

    public static Config Reference()
    {
        using var stream = typeof(ActorBrokerConfig).Assembly.GetManifestResourceStream(ReferenceResource)
            ?? throw new InvalidOperationException($"The embedded {ReferenceResource} is missing from this build.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    private const string JournalKey = "akka.persistence.journal.sql";
    private const string SnapshotKey = "akka.persistence.snapshot-store.sql";
    private const string QueryKey = "akka.persistence.query.journal.sql";

    /// <summary>
    /// Fills in empty journal, snapshot-store and query-journal connection strings. With a PostgreSQL provider
    /// (hocon/postgres-journal.conf) they get <c>actorbroker.postgres.connection-string</c>; otherwise they get SQLite
    /// at &lt;data-dir&gt;/journal.db, the single-node default. A connection string given explicitly is kept.
    /// </summary>
    public static Config WithDefaultJournal(Config config)
    {
        string provider = config.GetString(JournalKey + ".provider-name", "");
        string fill;
        if (provider.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            fill = config.GetString("actorbroker.postgres.connection-string", "");
            if (string.IsNullOrEmpty(fill) && string.IsNullOrEmpty(config.GetString(JournalKey + ".connection-string", "")))
                throw new ConfigurationException(
                    "The journal is PostgreSQL but no connection string is set: set actorbroker.postgres.connection-string or ACTORBROKER_POSTGRES.");
        }
        else
        {
            string dataDir = Path.GetFullPath(config.GetString("actorbroker.data-dir"));
            fill = $"Data Source={Path.Combine(dataDir, "journal.db")};Pooling=True";
        }
        var fills = new[] { JournalKey, SnapshotKey, QueryKey }
            .Where(key => string.IsNullOrEmpty(config.GetString(key + ".connection-string", "")))
            .Select(key => $"{key}.connection-string = {Quote(fill)}")
            .ToList();
        return fills.Count == 0 ? config : ConfigurationFactory.ParseString(string.Join('\n', fills)).WithFallback(config);
    }

    /// <summary>
    /// Parses a HOCON file; <c>include "other.conf"</c> inside it is resolved relative to the file's directory
    /// (hocon/cluster-node.conf includes postgres-journal.conf this way).
    /// </summary>
    public static Config ParseFile(string path)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return ConfigurationFactory.ParseString(File.ReadAllText(path), name =>
        {
            string included = Path.Combine(directory, name);
            if (!File.Exists(included))
                throw new ConfigurationException($"{path} includes '{name}', but {included} does not exist.");
            return new Akka.Configuration.Hocon.HoconRoot(ParseFile(included).Root);
        });
    }

    /// <summary>A HOCON string literal.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
