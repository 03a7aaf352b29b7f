using System.Net;
using System.Net.Sockets;
using Akka.Event;

namespace ActorBroker.Gateway;

/// <summary>
/// Accepts Kafka client connections and runs a <see cref="KafkaConnection"/> for each. When the configured address
/// is IPv4 loopback it also listens on IPv6 loopback (same port, where the host has IPv6), so clients that resolve
/// <c>localhost</c> to ::1 first connect on their first try. <see cref="Bind"/> takes the port before the node
/// starts anything else that listens (a port-0 listener could otherwise be handed the Kafka port a restarted node
/// is about to reuse); <see cref="Start"/> serves it once the broker runs.
/// </summary>
public sealed class KafkaListener : IAsyncDisposable
{
    private readonly GatewaySettings _settings;
    private readonly List<Socket> _sockets = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly HashSet<Task> _connections = new();
    private string? _ipv6Skipped;

    private KafkaListener(GatewaySettings settings) => _settings = settings;

    /// <summary>The bound address (its port is the real one when the configured port was 0).</summary>
    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary>Binds the configured address; connections wait in the backlog until <see cref="Start"/>.</summary>
    /// <exception cref="SocketException">The address is in use or cannot be bound.</exception>
    public static KafkaListener Bind(GatewaySettings settings)
    {
        var listener = new KafkaListener(settings);
        var primary = listener.Bind(settings.Listen);
        listener.LocalEndPoint = (IPEndPoint)primary.LocalEndPoint!;
        if (settings.Listen.Address.Equals(IPAddress.Loopback) && Socket.OSSupportsIPv6)
        {
            try
            {
                listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, listener.LocalEndPoint.Port));
            }
            catch (SocketException ex)
            {
                listener._ipv6Skipped = ex.Message;
            }
        }
        return listener;
    }

    public void Start(RequestDispatcher dispatcher, ILoggingAdapter log)
    {
        if (_ipv6Skipped is not null)
            log.Debug("Not listening on [::1]:{0} as well: {1}", LocalEndPoint.Port, _ipv6Skipped);
        foreach (var socket in _sockets)
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(socket, dispatcher, log)));
    }

    private Socket Bind(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(1024);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _sockets.Add(socket);
        return socket;
    }

    private async Task AcceptLoopAsync(Socket listener, RequestDispatcher dispatcher, ILoggingAdapter log)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                    return;
                log.Warning("Accepting a connection failed: {0}", ex.Message);
                continue;
            }
            var run = Task.Run(() => KafkaConnection.RunAsync(client, dispatcher, _settings, log, _stopping.Token));
            lock (_connections)
                _connections.Add(run);
            _ = run.ContinueWith(t =>
            {
                lock (_connections)
                    _connections.Remove(t);
            }, TaskScheduler.Default);
        }
    }

    /// <summary>Stops accepting, closes every connection and waits (briefly) for their loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        _stopping.Cancel();
        foreach (var socket in _sockets)
            socket.Dispose();
        Task[] running;
        lock (_connections)
            running = _connections.Concat(_acceptLoops).ToArray();
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }
}
