using Akka.Configuration;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Membership;

namespace ActorBroker.Client;

/// <summary>Kafka's acks: how much of the write a produce waits for.</summary>
public enum Acks
{
    None = 0,
    Leader = 1,
    All = -1,
}

/// <summary>Where a partition without a committed offset starts.</summary>
public enum AutoOffsetReset
{
    Earliest,
    Latest,
}

/// <summary>Producer settings (<c>actorbroker.client.producer</c>).</summary>
public sealed record ProducerOptions(Acks Acks, TimeSpan Linger, int BatchMaxBytes, int MaxInFlight, bool AcksAllWaitsForFsync);

/// <summary>Consumer settings (<c>actorbroker.client.consumer</c>); <see cref="GroupId"/> is set per consumer.</summary>
public sealed record ConsumerOptions(
    int FetchMaxBytes,
    TimeSpan FetchMaxWait,
    AutoOffsetReset AutoOffsetReset,
    TimeSpan SessionTimeout,
    TimeSpan RebalanceTimeout,
    TimeSpan HeartbeatInterval)
{
    /// <summary>The consumer group; null for a consumer that only assigns partitions and never commits.</summary>
    public string? GroupId { get; init; }
}

/// <summary>
/// The client's settings, parsed once from the <c>actorbroker.client</c> HOCON block (every key is commented in
/// hocon/actorbroker.reference.conf). <see cref="Config"/> is the whole configuration the client's actor system starts
/// from, so Akka settings (log level, remoting) can be given there too.
/// </summary>
public sealed record ActorBrokerClientOptions(
    IReadOnlyList<string> SeedNodes,
    string SystemName,
    string Host,
    int Port,
    string ClientId,
    TimeSpan ConnectTimeout,
    TimeSpan RequestTimeout,
    TimeSpan ReconnectAfter,
    TimeSpan ReconnectBackoff,
    ProducerOptions Producer,
    ConsumerOptions Consumer,
    Config Config)
{
    public const string ClientRole = "client";

    /// <summary>Where the client's log lines go (reconnections); standard error unless replaced.</summary>
    public Action<string> Log { get; init; } = line => Console.Error.WriteLine(line);

    /// <summary>The reference defaults with <paramref name="seedNodes"/> ("HOST:PORT" of brokers' Akka endpoints).</summary>
    public static ActorBrokerClientOptions Default(params string[] seedNodes) =>
        Create(ActorBrokerConfig.Reference()).WithSeedNodes(seedNodes);

    /// <summary>Reads <c>actorbroker.client</c> of <paramref name="config"/> (layered over the reference configuration).</summary>
    public static ActorBrokerClientOptions Create(Config config)
    {
        config = config.WithFallback(ActorBrokerConfig.Reference());
        var client = config.GetConfig("actorbroker.client");
        var producer = client.GetConfig("producer");
        var consumer = client.GetConfig("consumer");
        return new ActorBrokerClientOptions(
            SeedNodes: client.GetStringList("seed-nodes").ToList(),
            SystemName: client.GetString("system-name"),
            Host: client.GetString("host"),
            Port: client.GetInt("port"),
            ClientId: client.GetString("client-id"),
            ConnectTimeout: Positive(client.GetTimeSpan("connect-timeout"), "connect-timeout"),
            RequestTimeout: Positive(client.GetTimeSpan("request-timeout"), "request-timeout"),
            ReconnectAfter: client.GetTimeSpan("reconnect-after"),
            ReconnectBackoff: client.GetTimeSpan("reconnect-backoff"),
            Producer: new ProducerOptions(
                Acks: producer.GetString("acks") switch
                {
                    "0" => Acks.None,
                    "1" => Acks.Leader,
                    "all" or "-1" => Acks.All,
                    var other => throw new ConfigurationException($"actorbroker.client.producer.acks must be 0, 1 or all, but is '{other}'."),
                },
                Linger: producer.GetTimeSpan("linger"),
                BatchMaxBytes: PositiveInt(producer.GetInt("batch-max-bytes"), "producer.batch-max-bytes"),
                MaxInFlight: PositiveInt(producer.GetInt("max-in-flight"), "producer.max-in-flight"),
                AcksAllWaitsForFsync: config.GetBoolean("actorbroker.log.acks-all-waits-for-fsync")),
            Consumer: new ConsumerOptions(
                FetchMaxBytes: PositiveInt(consumer.GetInt("fetch-max-bytes"), "consumer.fetch-max-bytes"),
                FetchMaxWait: Positive(consumer.GetTimeSpan("fetch-max-wait"), "consumer.fetch-max-wait"),
                AutoOffsetReset: consumer.GetString("auto-offset-reset") switch
                {
                    "earliest" => AutoOffsetReset.Earliest,
                    "latest" => AutoOffsetReset.Latest,
                    var other => throw new ConfigurationException($"actorbroker.client.consumer.auto-offset-reset must be earliest or latest, but is '{other}'."),
                },
                SessionTimeout: Positive(consumer.GetTimeSpan("session-timeout"), "consumer.session-timeout"),
                RebalanceTimeout: Positive(consumer.GetTimeSpan("rebalance-timeout"), "consumer.rebalance-timeout"),
                HeartbeatInterval: Positive(consumer.GetTimeSpan("heartbeat-interval"), "consumer.heartbeat-interval")),
            Config: config);
    }

    public ActorBrokerClientOptions WithSeedNodes(params string[] seedNodes) => this with { SeedNodes = seedNodes };

    /// <summary>The seeds as Akka addresses: "HOST:PORT" becomes akka.tcp://SYSTEM@HOST:PORT.</summary>
    public IReadOnlyList<string> SeedAddresses =>
        SeedNodes.Select(s => s.Contains("://", StringComparison.Ordinal) ? s : $"akka.tcp://{SystemName}@{s}").ToList();

    /// <summary>The client actor system's configuration: the client role, the seeds and its endpoint over <see cref="Config"/>.</summary>
    internal Config ActorSystemConfig()
    {
        var overrides = $"""
            akka.cluster.roles = [{ActorBrokerConfig.Quote(ClientRole)}]
            akka.cluster.seed-nodes = [{string.Join(", ", SeedAddresses.Select(ActorBrokerConfig.Quote))}]
            akka.remote.dot-netty.tcp.hostname = {ActorBrokerConfig.Quote(Host)}
            akka.remote.dot-netty.tcp.port = {Port}
            """;
        return ConfigurationFactory.ParseString(overrides).WithFallback(Config);
    }

    internal static bool IsBroker(Akka.Cluster.Member member) => member.HasRole(BrokerIdentity.BrokerRole);

    private static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ConfigurationException($"actorbroker.client.{key} must be positive, but is {value}.");

    private static int PositiveInt(int value, string key) =>
        value > 0 ? value : throw new ConfigurationException($"actorbroker.client.{key} must be positive, but is {value}.");
}
