using System.Net;
using Akka.Configuration;

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
    string ClusterId)
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
        return new GatewaySettings(
            config.GetInt("actorbroker.node-id"),
            new IPEndPoint(HostPort.Resolve(listen.Host), listen.Port),
            advertisedHost,
            advertisedPort,
            maxBytes,
            kafka.GetTimeSpan("max-fetch-wait"),
            kafka.GetTimeSpan("topic-cache-ttl"),
            clusterId);
    }
}

/// <summary>Parses "host:port" (IPv6 hosts in brackets: "[::1]:9092").</summary>
public static class HostPort
{
    public static (string Host, int Port) Parse(string value, string key)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
            throw new ConfigurationException($"{key} must be HOST:PORT (for example 127.0.0.1:9092), but is '{value}'.");
        string host = value[..colon].Trim('[', ']');
        return (host, port);
    }

    public static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var address))
            return address;
        if (host is "" or "*" or "0.0.0.0")
            return IPAddress.Any;
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new ConfigurationException($"Cannot resolve listener host '{host}'.");
    }
}
