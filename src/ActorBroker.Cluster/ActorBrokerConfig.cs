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

    /// <summary>An empty journal, query or snapshot-store connection string means: SQLite at &lt;data-dir&gt;/journal.db.</summary>
    public static Config WithDefaultJournal(Config config)
    {
        string dataDir = Path.GetFullPath(config.GetString("actorbroker.data-dir"));
        string sqlite = $"Data Source={Path.Combine(dataDir, "journal.db")};Pooling=True";
        var fills = new List<string>();
        if (string.IsNullOrEmpty(config.GetString("akka.persistence.journal.sql.connection-string")))
            fills.Add($"akka.persistence.journal.sql.connection-string = {Quote(sqlite)}");
        if (string.IsNullOrEmpty(config.GetString("akka.persistence.snapshot-store.sql.connection-string")))
            fills.Add($"akka.persistence.snapshot-store.sql.connection-string = {Quote(sqlite)}");
        if (string.IsNullOrEmpty(config.GetString("akka.persistence.query.journal.sql.connection-string")))
            fills.Add($"akka.persistence.query.journal.sql.connection-string = {Quote(sqlite)}");
        return fills.Count == 0 ? config : ConfigurationFactory.ParseString(string.Join('\n', fills)).WithFallback(config);
    }

    /// <summary>A HOCON string literal.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
