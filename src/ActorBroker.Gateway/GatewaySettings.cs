using System.Net;
using Akka.Configuration;
using ActorBroker.Cluster.Membership;

namespace ActorBroker.Gateway;

/// <summary>The Kafka listener's settings, parsed once from <c>actorbroker.kafka</c>.</summary>
public sealed record GatewaySettings(
    int NodeId,
    IPEndPoint Listen,
    string AdvertisedHost,
    int AdvertisedPort,
    int SocketRequestMaxBytes,
    TimeSpan MaxFetchWait,
    TimeSpan TopicCacheTimeToLive,
    string ClusterId,
    int MaxInFlightRequestsPerConnection)
{
    public static GatewaySettings Create(Config config, string clusterId)
    {
        var kafka = config.GetConfig("actorbroker.kafka")
            ?? throw new ConfigurationException("The `actorbroker.kafka` configuration block is missing.");
        var listen = HostPort.Parse(kafka.GetString("listen"), "actorbroker.kafka.listen");
        string advertised = kafka.GetString("advertised", "");
        var (advertisedHost, advertisedPort) = string.IsNullOrWhiteSpace(advertised)
            ? (listen.Host, listen.Port)
            : HostPort.Parse(advertised, "actorbroker.kafka.advertised");
        int maxBytes = kafka.GetInt("socket-request-max-bytes");
        if (maxBytes <= 0)
            throw new ConfigurationException($"actorbroker.kafka.socket-request-max-bytes must be positive, but is {maxBytes}.");
        int maxInFlight = kafka.GetInt("max-in-flight-requests-per-connection");
        if (maxInFlight <= 0)
            throw new ConfigurationException($"actorbroker.kafka.max-in-flight-requests-per-connection must be positive, but is {maxInFlight}.");
        return new GatewaySettings(
            config.GetInt("actorbroker.node-id"),
            new IPEndPoint(HostPort.Resolve(listen.Host), listen.Port),
            advertisedHost,
            advertisedPort,
            maxBytes,
            kafka.GetTimeSpan("max-fetch-wait"),
            kafka.GetTimeSpan("topic-cache-ttl"),
            clusterId,
            maxInFlight);
    }
}
