namespace ActorBroker.Storage;

/// <summary>
/// Whole batches of a log as a range of one segment file (<see cref="PartitionLog.ReadFileSlice"/>), for sending with
/// sendfile(2) straight from the page cache. <see cref="File"/> belongs to the segment: send from it, never dispose it.
/// </summary>
public sealed class LogFileSlice
{
    private readonly PartitionLog _log;
    private readonly long _version;

    internal LogFileSlice(PartitionLog log, long version, FileStream file, long position, int length)
    {
        _log = log;
        _version = version;
        File = file;
        Position = position;
        Length = length;
    }

    public FileStream File { get; }

    public long Position { get; }

    public int Length { get; }

    /// <summary>
    /// Whether the range still holds the batches it held when read: false once the log truncated, deleted or cleaned
    /// anything, or closed. Check it right before sending; a change after that shows as a short send (the file ends
    /// early) or as batches the receiver rejects (offsets or CRCs that do not follow its log).
    /// </summary>
    public bool IsIntact => _log.IsUnchangedSince(_version);
}
