namespace ActorBroker.Cluster.Topics;

/// <summary>Kafka's topic name rules (org.apache.kafka.common.internals.Topic.validate).</summary>
public static class TopicNames
{
    public const int MaxLength = 249;

    /// <summary>Returns null when <paramref name="name"/> is a legal topic name, else why it is not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "Topic name is empty.";
        if (name is "." or "..")
            return $"Topic name cannot be '{name}'.";
        if (name.Length > MaxLength)
            return $"Topic name is {name.Length} characters long; the limit is {MaxLength}.";
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return $"Topic name '{name}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.";
        }
        return null;
    }
}
