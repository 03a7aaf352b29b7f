using System.Net;
using System.Net.Sockets;

namespace ActorBroker.TestKit;

/// <summary>Picks TCP ports nobody listens on.</summary>
public static class FreePort
{
    /// <summary>
    /// A port the OS just handed out on 127.0.0.1 and that is closed again. Another process could take it
    /// before the caller binds it; the ephemeral range makes that unlikely.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Whether something accepts TCP connections on <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static bool IsListening(IPAddress address, int port, TimeSpan timeout)
    {
        using var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            client.ConnectAsync(new IPEndPoint(address, port), cts.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
