using System.Net.Sockets;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>
/// Sends a buffer and then a range of a file on a socket with <see cref="Socket.SendPacketsAsync"/>, which on Linux
/// hands the file range to sendfile(2): the kernel moves the bytes from the page cache to the socket.
/// </summary>
internal static class SocketFileSend
{
    /// <summary>The bytes sent: fewer than asked for when the file ended before the range did.</summary>
    /// <exception cref="SocketException">The send failed, or the socket closed meanwhile.</exception>
    public static Task<long> SendAsync(Socket socket, byte[] head, FileStream file, long position, int length)
    {
        var sent = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var args = new SocketAsyncEventArgs
        {
            SendPacketsElements = [new SendPacketsElement(head), new SendPacketsElement(file, position, length, endOfPacket: true)],
            UserToken = sent,
        };
        args.Completed += (_, completed) => Complete(completed);
        bool pending;
        try
        {
            pending = socket.SendPacketsAsync(args);
        }
        catch
        {
            args.Dispose();
            throw;
        }
        if (!pending)
            Complete(args);
        return sent.Task;
    }

    private static void Complete(SocketAsyncEventArgs args)
    {
        var sent = (TaskCompletionSource<long>)args.UserToken!;
        if (args.SocketError == SocketError.Success)
            sent.SetResult(args.BytesTransferred);
        else
            sent.SetException(new SocketException((int)args.SocketError));
        args.Dispose();
    }
}
