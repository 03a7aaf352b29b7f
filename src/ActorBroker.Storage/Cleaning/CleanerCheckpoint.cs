namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// The <c>cleaner-checkpoint</c> file of a partition directory: where the log cleaner stopped, Kafka's
/// cleaner-offset-checkpoint for one partition.
///
/// <para><b>File format</b> (as <see cref="RecoveryPointCheckpoint"/>): <c>"0\n&lt;first dirty offset&gt;\n&lt;tombstone
/// deadline&gt;\n"</c>, e.g. <c>"0\n4096\n1700000086400000\n"</c>. The first dirty offset is the first offset not yet
/// cleaned (every segment below it has been cleaned at least once). The tombstone deadline is the earliest wall-clock
/// time (ms since the epoch) at which a tombstone kept by the last clean becomes removable (-1: none kept), so that a
/// log with nothing new to clean is still cleaned once its tombstones have aged past delete.retention.ms.</para>
///
/// <para><b>Invariants</b>: written atomically (temp file, fsync, rename) after the cleaned segments are in place; a
/// crash before that only means the next clean starts from the older offset (cleaning is idempotent). A missing or
/// unreadable file means "nothing cleaned yet, no tombstones known".</para>
///
/// <para><b>Thread-safety</b>: none needed; only the partition's writer thread reads or writes it.</para>
/// </summary>
internal static class CleanerCheckpoint
{
    public const string FileName = "cleaner-checkpoint";

    public static (long FirstDirtyOffset, long TombstoneDeadline) Read(string directory, ICollection<string> notes) =>
        CheckpointFile.ReadValues(directory, FileName, 2, notes, "cleaning from the log start") is [var offset, var deadline]
            ? (offset, deadline)
            : (0, -1);

    public static void Write(string directory, long firstDirtyOffset, long tombstoneDeadline) =>
        CheckpointFile.Write(directory, FileName, firstDirtyOffset, tombstoneDeadline);

    /// <summary>Removes a temp file left by a crash during <see cref="Write"/>.</summary>
    public static void DeleteLeftovers(string directory) => CheckpointFile.DeleteLeftovers(directory, FileName);
}
