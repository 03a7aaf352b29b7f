using System.Net;
using System.Net.Sockets;
using Akka.Event;

namespace ActorBroker.Gateway;

/// <summary>
/// Accepts Kafka client connections and runs a <see cref="KafkaConnection"/> for each. When the configured address
/// is IPv4 loopback it also listens on IPv6 loopback (same port, where the host has IPv6), so clients that resolve
/// <c>localhost</c> to ::1 first connect on their first try.
/// </summary>
public sealed class KafkaListener : IAsyncDisposable
{
    private readonly RequestDispatcher _dispatcher;
    private readonly GatewaySettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly List<Socket> _sockets = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly HashSet<Task> _connections = new();

    public KafkaListener(RequestDispatcher dispatcher, GatewaySettings settings, ILoggingAdapter log)
    {
        _dispatcher = dispatcher;
        _settings = settings;
        _log = log;
    }

    /// <summary>The bound address (its port is the real one when the configured port was 0).</summary>
    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    public void Start()
    {
        var primary = Bind(_settings.Listen);
        LocalEndPoint = (IPEndPoint)primary.LocalEndPoint!;
        if (_settings.Listen.Address.Equals(IPAddress.Loopback) && Socket.OSSupportsIPv6)
        {
            try
            {
                Bind(new IPEndPoint(IPAddress.IPv6Loopback, LocalEndPoint.Port));
            }
            catch (SocketException ex)
            {
                _log.Debug("Not listening on [::1]:{0} as well: {1}", LocalEndPoint.Port, ex.Message);
            }
        }
        foreach (var socket in _sockets)
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(socket)));
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

    private async Task AcceptLoopAsync(Socket listener)
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
                _log.Warning("Accepting a connection failed: {0}", ex.Message);
                continue;
            }
            var connection = new KafkaConnection(client, _dispatcher, _settings, _log);
            var run = Task.Run(() => connection.RunAsync(_stopping.Token));
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
