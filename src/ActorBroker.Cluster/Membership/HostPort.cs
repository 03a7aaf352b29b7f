using System.Net;
using Akka.Configuration;

namespace ActorBroker.Cluster.Membership;

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
