using System.Globalization;

namespace ActorBroker.Storage;

/// <summary>Names of partition log directories: <c>&lt;topic&gt;-&lt;partition&gt;</c>, as in Kafka. Thread-safe.</summary>
public static class LogDirectoryName
{
    public static string For(string topic, int partition)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        return $"{topic}-{partition.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Splits a directory name at its last '-' (topics may contain '-').</summary>
    public static bool TryParse(string name, out string topic, out int partition)
    {
        topic = "";
        partition = -1;
        int dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1)
            return false;
        if (!int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out partition))
            return false;
        topic = name[..dash];
        return true;
    }
}
