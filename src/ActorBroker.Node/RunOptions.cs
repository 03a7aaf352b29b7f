namespace ActorBroker.Node;

/// <summary>The options of <c>actorbroker run</c>; each overrides the HOCON key named beside it.</summary>
public sealed record RunOptions(
    string? ConfigFile,
    string? KafkaListen,
    string? Advertised,
    string? DataDir,
    int? NodeId,
    int? AkkaPort,
    string? AkkaHost,
    IReadOnlyList<string> Seeds)
{
    public static readonly string[] ValueOptions = ["config", "kafka-listen", "advertised", "data-dir", "node-id", "akka-port", "akka-host", "seed"];

    public static RunOptions From(CommandLine line) => new(
        line.Value("config"),
        line.Value("kafka-listen"),
        line.Value("advertised"),
        line.Value("data-dir"),
        line.Int("node-id"),
        line.Int("akka-port"),
        line.Value("akka-host"),
        line.Values("seed"));

    public IEnumerable<string> HoconOverrides()
    {
        if (KafkaListen is not null)
            yield return $"actorbroker.kafka.listen = {NodeConfig.Quote(KafkaListen)}";
        if (Advertised is not null)
            yield return $"actorbroker.kafka.advertised = {NodeConfig.Quote(Advertised)}";
        if (DataDir is not null)
            yield return $"actorbroker.data-dir = {NodeConfig.Quote(DataDir)}";
        if (NodeId is { } id)
            yield return $"actorbroker.node-id = {id}";
        if (AkkaPort is { } port)
            yield return $"akka.remote.dot-netty.tcp.port = {port}";
        if (AkkaHost is not null)
            yield return $"akka.remote.dot-netty.tcp.hostname = {NodeConfig.Quote(AkkaHost)}";
        if (Seeds.Count > 0)
            yield return $"akka.cluster.seed-nodes = [{string.Join(", ", Seeds.Select(s => NodeConfig.Quote(SeedAddress(s))))}]";
    }

    /// <summary>A seed given as HOST:PORT becomes the Akka address of that node's actor system.</summary>
    private static string SeedAddress(string seed) =>
        seed.Contains("://", StringComparison.Ordinal) ? seed : $"akka.tcp://{BrokerNode.SystemName}@{seed}";
}
