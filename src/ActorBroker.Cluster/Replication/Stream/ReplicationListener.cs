using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>
/// The leader's end of the replication stream: a TCP listener next to the node's Akka endpoint that followers on
/// other nodes fetch record batches through (<see cref="ReplicaFetchFrames"/>), so a replicated byte is read from the
/// segment once and written to the socket once instead of passing through Akka remoting's envelopes and copies.
/// Each request goes to the "partition" shard region, which delivers it to the local leader entity without
/// serializing it (or forwards it if the leader moved). The port is <c>actorbroker.replication.listen-port</c>
/// (0: any free one); followers learn it from <see cref="ReplicationEndpointActor"/>.
/// </summary>
public sealed class ReplicationListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IActorRef _partitions;
    private readonly ILoggingAdapter _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private ReplicationListener(TcpListener listener, IActorRef partitions, ILoggingAdapter log)
    {
        _listener = listener;
        _partitions = partitions;
        _log = log;
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Binds <paramref name="host"/> (an IP address; a name or nothing binds every interface) and starts accepting.</summary>
    public static ReplicationListener Start(string host, int port, IActorRef partitions, ILoggingAdapter log)
    {
        var address = IPAddress.TryParse(host, out var ip) ? ip : IPAddress.Any;
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"The replication listener cannot bind {address}:{port} ({e.SocketErrorCode}); set actorbroker.replication.listen-port to a free port, or 0 for any.", e);
        }
        return new ReplicationListener(listener, partitions, log);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.Warning("The replication listener failed to accept a connection: {0}", e.Message);
                continue;
            }
            socket.NoDelay = true;
            _ = new ReplicationServerConnection(socket, _partitions, _log, _stopping.Token).RunAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
    }
}
