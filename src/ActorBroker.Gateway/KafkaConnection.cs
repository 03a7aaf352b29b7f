using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Akka.Event;

namespace ActorBroker.Gateway;

/// <summary>
/// One client connection: a read loop that cuts 4-byte length-prefixed frames and serves them one at a time, in
/// order of arrival, writing each response before the next request is served (Kafka clients pipeline requests and
/// match responses by order). A frame larger than <c>socket-request-max-bytes</c>, a negative length or an
/// undecodable request closes this connection only.
/// </summary>
public sealed class KafkaConnection
{
    private const int MinimumFrameBytes = 8; // api key, api version, correlation id

    private readonly Socket _socket;
    private readonly RequestDispatcher _dispatcher;
    private readonly GatewaySettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly EndPoint? _remote;

    public KafkaConnection(Socket socket, RequestDispatcher dispatcher, GatewaySettings settings, ILoggingAdapter log)
    {
        _socket = socket;
        _dispatcher = dispatcher;
        _settings = settings;
        _log = log;
        _remote = socket.RemoteEndPoint;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _socket.NoDelay = true;
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        try
        {
            await ServeAsync(reader, writer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the node is stopping.
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Connection from {0} failed; closing it", _remote);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(PipeReader reader, PipeWriter writer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            FrameCut cut;
            while ((cut = TryCutFrame(ref buffer, out var frame)) == FrameCut.Frame)
            {
                var outcome = await _dispatcher.DispatchAsync(frame, _remote, writer, cancellationToken).ConfigureAwait(false);
                if (outcome == DispatchOutcome.CloseConnection)
                    return;
                if (outcome == DispatchOutcome.Responded)
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            if (cut == FrameCut.Refused)
                return;
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                if (!buffer.IsEmpty)
                    _log.Info("Connection from {0} closed in the middle of a request frame ({1} bytes received)", _remote, buffer.Length);
                return;
            }
        }
    }

    private enum FrameCut
    {
        Frame,
        NeedMoreBytes,
        Refused,
    }

    /// <summary>Cuts one whole frame off the front of <paramref name="buffer"/>; copies it so handlers own it.</summary>
    private FrameCut TryCutFrame(ref ReadOnlySequence<byte> buffer, out byte[] frame)
    {
        frame = [];
        if (buffer.Length < 4)
            return FrameCut.NeedMoreBytes;
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        int length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < MinimumFrameBytes || length > _settings.SocketRequestMaxBytes)
        {
            _log.Warning(
                "Closing connection from {0}: request frame of {1} bytes is outside 8..{2} (actorbroker.kafka.socket-request-max-bytes)",
                _remote, length, _settings.SocketRequestMaxBytes);
            return FrameCut.Refused;
        }
        if (buffer.Length < 4L + length)
            return FrameCut.NeedMoreBytes;
        frame = buffer.Slice(4, length).ToArray();
        buffer = buffer.Slice(4L + length);
        return FrameCut.Frame;
    }
}
