using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Akka.Event;

namespace ActorBroker.Gateway;

/// <summary>
/// One client connection: a read loop that cuts 4-byte length-prefixed frames and starts serving them in order of
/// arrival, and a write loop that writes their responses in that order (Kafka clients pipeline requests and match
/// responses by order). Requests overlap only where their order cannot be told apart: a Produce lets the next
/// request start once its appends are on their way to the partitions; every other request is served alone. A frame larger than <c>socket-request-max-bytes</c>, a negative length or an
/// undecodable request closes this connection only.
/// </summary>
public sealed class KafkaConnection
{
    private const int MinimumFrameBytes = 8; // api key, api version, correlation id

    /// <summary>
    /// A frame at least this long that has not fully arrived is read from the socket straight into its own array,
    /// not through the pipe's buffers and then copied: for 1 MiB produce frames that copy was an eighth of the node's
    /// CPU. Smaller frames, usually many to one socket read, keep the pipe.
    /// </summary>
    private const int DirectReadMinimumBytes = 16 * 1024;

    private readonly RequestDispatcher _dispatcher;
    private readonly GatewaySettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly EndPoint? _remote;
    private readonly Stream? _socketStream;

    /// <param name="socketStream">The stream the input pipe reads from, if it may be read directly: large frames then
    /// skip the pipe (see <see cref="DirectReadMinimumBytes"/>). Null for an input with no stream behind it.</param>
    public KafkaConnection(EndPoint? remote, RequestDispatcher dispatcher, GatewaySettings settings, ILoggingAdapter log, Stream? socketStream = null)
    {
        _remote = remote;
        _socketStream = socketStream;
        _dispatcher = dispatcher;
        _settings = settings;
        _log = log;
    }

    /// <summary>Serves a TCP client until it disconnects, a frame is refused or the node stops.</summary>
    public static async Task RunAsync(Socket socket, RequestDispatcher dispatcher, GatewaySettings settings, ILoggingAdapter log, CancellationToken cancellationToken)
    {
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var connection = new KafkaConnection(socket.RemoteEndPoint, dispatcher, settings, log, stream);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        await connection.RunAsync(reader, writer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serves requests read from <paramref name="input"/>, answering on <paramref name="output"/>; completes both when done.</summary>
    public async Task RunAsync(PipeReader input, PipeWriter output, CancellationToken cancellationToken)
    {
        try
        {
            await ServeAsync(input, output, cancellationToken).ConfigureAwait(false);
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
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Two loops: this one cuts frames and starts each request once the one before it has submitted its work (so the
    /// broker sees them in order of arrival), and <see cref="WriteResponsesAsync"/> writes the responses in that same
    /// order, flushing when no further response is ready. At most <c>max-in-flight-requests-per-connection</c> requests
    /// are open at once; beyond that the socket is not read.
    /// </summary>
    private async Task ServeAsync(PipeReader reader, PipeWriter writer, CancellationToken cancellationToken)
    {
        var inFlight = Channel.CreateBounded<StartedRequest>(new BoundedChannelOptions(_settings.MaxInFlightRequestsPerConnection)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var responses = WriteResponsesAsync(inFlight.Reader, writer, closing, cancellationToken);
        Exception? readFailure = null;
        try
        {
            await ReadRequestsAsync(reader, inFlight.Writer, closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The response loop closes the connection (a request asked for it, or writing failed).
        }
        catch (Exception ex)
        {
            readFailure = ex;
            await closing.CancelAsync().ConfigureAwait(false);
        }
        inFlight.Writer.TryComplete();
        try
        {
            await responses.ConfigureAwait(false); // the output is completed only after the response loop stopped writing
        }
        catch (OperationCanceledException) when (readFailure is not null)
        {
        }
        if (readFailure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
    }

    private async Task ReadRequestsAsync(PipeReader reader, ChannelWriter<StartedRequest> inFlight, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            FrameCut cut;
            while ((cut = TryCutFrame(ref buffer, out var frame)) == FrameCut.Frame)
            {
                if (!await StartAsync(frame, inFlight, cancellationToken).ConfigureAwait(false))
                    return;
            }
            if (cut == FrameCut.Refused)
                return;
            if (_socketStream is not null && !result.IsCompleted && buffer.Length >= 4 && FrameLength(buffer) is var length && length >= DirectReadMinimumBytes)
            {
                var large = await ReadLargeFrameAsync(reader, buffer, length, cancellationToken).ConfigureAwait(false);
                if (!await StartAsync(large, inFlight, cancellationToken).ConfigureAwait(false))
                    return;
                continue;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                if (!buffer.IsEmpty)
                    _log.Info("Connection from {0} closed in the middle of a request frame ({1} bytes received)", _remote, buffer.Length);
                return;
            }
        }
    }

    /// <summary>Starts serving one frame once the one before it has submitted its work; false when it closes the connection.</summary>
    private async Task<bool> StartAsync(byte[] frame, ChannelWriter<StartedRequest> inFlight, CancellationToken cancellationToken)
    {
        var started = _dispatcher.Start(frame, _remote, cancellationToken);
        await inFlight.WriteAsync(started, cancellationToken).ConfigureAwait(false);
        await started.Submitted.ConfigureAwait(false);
        return !(started.Response.IsCompletedSuccessfully && started.Response.Result.Outcome == DispatchOutcome.CloseConnection);
    }

    /// <summary>
    /// The frame at the front of <paramref name="buffer"/> (its checked <paramref name="length"/> not all arrived):
    /// what the pipe holds is copied, the pipe is emptied, and the rest is read from the socket into the frame itself.
    /// </summary>
    private async Task<byte[]> ReadLargeFrameAsync(PipeReader reader, ReadOnlySequence<byte> buffer, int length, CancellationToken cancellationToken)
    {
        var frame = GC.AllocateUninitializedArray<byte>(length); // filled below: no zeroing
        var arrived = buffer.Slice(4);
        arrived.CopyTo(frame);
        int have = (int)arrived.Length;
        reader.AdvanceTo(buffer.End); // the pipe reads only when asked, so the socket's next bytes are this frame's
        try
        {
            await _socketStream!.ReadExactlyAsync(frame.AsMemory(have), cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            _log.Info("Connection from {0} closed in the middle of a request frame ({1} of {2} bytes received)", _remote, have, length);
            throw;
        }
        return frame;
    }

    /// <summary>The length prefix of the frame at the front of <paramref name="buffer"/>, which <see cref="TryCutFrame"/> has checked.</summary>
    private static int FrameLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    /// <summary>Writes responses in request order until the reader is done or a request closes the connection (which then stops the reader).</summary>
    private static async Task WriteResponsesAsync(
        ChannelReader<StartedRequest> inFlight, PipeWriter writer, CancellationTokenSource closing, CancellationToken cancellationToken)
    {
        try
        {
            while (await inFlight.WaitToReadAsync(closing.Token).ConfigureAwait(false))
            {
                bool unflushed = false;
                while (inFlight.TryRead(out var started))
                {
                    var response = await started.Response.ConfigureAwait(false);
                    if (response.Outcome == DispatchOutcome.CloseConnection)
                    {
                        if (unflushed)
                            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    response.WriteTo(writer);
                    unflushed |= response.Outcome == DispatchOutcome.Responded;
                }
                if (unflushed)
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await closing.CancelAsync().ConfigureAwait(false);
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
        int length = FrameLength(buffer);
        if (length < MinimumFrameBytes || length > _settings.SocketRequestMaxBytes)
        {
            _log.Warning(
                "Closing connection from {0}: request frame of {1} bytes is outside 8..{2} (actorbroker.kafka.socket-request-max-bytes)",
                _remote, length, _settings.SocketRequestMaxBytes);
            return FrameCut.Refused;
        }
        if (buffer.Length < 4L + length)
            return FrameCut.NeedMoreBytes;
        frame = GC.AllocateUninitializedArray<byte>(length); // filled by the copy: no zeroing of up to 100 MB
        buffer.Slice(4, length).CopyTo(frame);
        buffer = buffer.Slice(4L + length);
        return FrameCut.Frame;
    }
}
