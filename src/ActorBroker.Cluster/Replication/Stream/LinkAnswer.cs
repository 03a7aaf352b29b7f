using System.Buffers;
using ActorBroker.Cluster.Partitions;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>
/// A leader's answer read off a <see cref="LeaderLink"/>. Its records sit in an array rented from the shared pool, so a
/// follower does not page in a fresh array for every fetch: whoever appends them disposes the answer afterwards, which
/// gives the array back (the first time; later calls do nothing). An answer never disposed is simply collected.
/// </summary>
public sealed class LinkAnswer(ReplicaFetchResult result, byte[]? rented) : IDisposable
{
    private byte[]? _rented = rented;

    /// <summary>The answer; its records are valid until <see cref="Dispose"/>.</summary>
    public ReplicaFetchResult Result => result;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } array)
            ArrayPool<byte>.Shared.Return(array);
    }
}
