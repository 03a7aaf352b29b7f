namespace ActorBroker.Storage.Tests;

/// <summary>A temporary partition directory with a config; opens logs in it and deletes it afterwards.</summary>
public sealed class LogBuilder : IDisposable
{
    public LogBuilder(LogConfig? config = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "actorbroker-storage-tests", Guid.NewGuid().ToString("N"), LogDirectoryName.For("topic", 0));
        Config = config ?? LogConfig.Default;
    }

    public string Directory { get; }
    public LogConfig Config { get; set; }

    public PartitionLog Open() => PartitionLog.Open(Directory, Config);

    /// <summary>Opens a log and appends one batch per entry of <paramref name="recordCounts"/>.</summary>
    public PartitionLog OpenWith(params int[] recordCounts)
    {
        var log = Open();
        foreach (int count in recordCounts)
            log.Append(BatchBuilder.Build(count), leaderEpoch: 0);
        return log;
    }

    public string[] LogFiles() => System.IO.Directory.GetFiles(Directory, "*.log").Order(StringComparer.Ordinal).ToArray();

    public string[] IndexFiles() => System.IO.Directory.GetFiles(Directory, "*.index").Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
