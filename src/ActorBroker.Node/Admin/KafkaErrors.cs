using System.Text;
using ActorBroker.Protocol;

namespace ActorBroker.Node.Admin;

/// <summary>
/// The command reached the broker (or tried to) and failed: a Kafka error, an unreachable broker, a broken
/// connection. Its message is printed as is and the command exits with <see cref="ExitCode"/> (1).
/// </summary>
public sealed class CommandFailedException(string message) : Exception(message)
{
    public int ExitCode => 1;
}

/// <summary>Kafka error codes as the admin commands print them: Kafka's own name, the broker's message, and what to do.</summary>
public static class KafkaErrors
{
    /// <summary>Kafka's name for a code, e.g. <c>INVALID_TOPIC_EXCEPTION</c> (the upper snake case of <see cref="ErrorCode"/>).</summary>
    public static string Name(short code)
    {
        if (!Enum.IsDefined((ErrorCode)code))
            return $"UNKNOWN_ERROR_CODE_{code}";
        string pascal = ((ErrorCode)code).ToString();
        var sb = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
                sb.Append('_');
            sb.Append(char.ToUpperInvariant(pascal[i]));
        }
        return sb.ToString();
    }

    /// <summary>What the user can do about an error, or null when there is nothing specific to say.</summary>
    public static string? Hint(ErrorCode code) => code switch
    {
        ErrorCode.UnknownTopicOrPartition => "check the topic name and partition with `actorbroker topics list` and `actorbroker topics describe NAME`, or create it with `actorbroker topics create NAME`",
        ErrorCode.TopicAlreadyExists => "pick another name, or delete the topic first with `actorbroker topics delete NAME`",
        ErrorCode.InvalidTopicException => "topic names are 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', and not '.' or '..'",
        ErrorCode.InvalidPartitions => "--partitions must be at least 1",
        ErrorCode.InvalidReplicationFactor => "--replication-factor must be at least 1 and at most the number of brokers",
        ErrorCode.InvalidReplicaAssignment => "every partition must be placed on distinct live brokers; `actorbroker cluster status` lists them",
        ErrorCode.NoReassignmentInProgress => "the partition is not being reassigned; `actorbroker partitions reassignments` lists those that are",
        ErrorCode.InvalidConfig => "check the --config names and values; `actorbroker topics describe NAME` lists the topic configs the broker knows",
        ErrorCode.OffsetOutOfRange => "start inside the log: use --from-beginning, or an --offset between the log start and end offsets that `actorbroker topics describe NAME` shows",
        ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderOrFollower or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable
            => "the partition is moving or starting; retry in a moment",
        ErrorCode.RequestTimedOut => "the broker did not finish in time; check its log and retry",
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge => "the records are larger than the topic's max.message.bytes; split long lines or raise that config",
        ErrorCode.CorruptMessage => "the broker rejected the batch as corrupt; this is a bug in the tool or the broker, please report it",
        ErrorCode.UnsupportedVersion => "the broker does not serve the api version this tool uses; run the tool from the same release as the broker",
        ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => "too few replicas are in sync for acks=all; check the brokers' health",
        ErrorCode.TopicDeletionDisabled => "the broker does not allow deleting topics",
        ErrorCode.PolicyViolation => "the broker's policy refused the request; see its message",
        ErrorCode.KafkaStorageError => "the broker could not read or write its log files; check its disk and log",
        ErrorCode.NonEmptyGroup => "the group still has members; stop its consumers first, then retry",
        ErrorCode.GroupIdNotFound => "check the group id with `actorbroker groups list`",
        ErrorCode.InvalidGroupId => "a group id must not be empty",
        ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress or ErrorCode.NotCoordinator
            => "the group's coordinator is moving or starting; retry in a moment",
        ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress
            => "consumers joined the group meanwhile; stop them and retry",
        ErrorCode.UnknownServerError => "the broker failed unexpectedly; its log names the cause",
        _ => null,
    };

    /// <summary>One line: <c>NAME: message (hint)</c>, prefixed by what was being done.</summary>
    public static string Describe(short code, string? message, string doing)
    {
        var sb = new StringBuilder();
        sb.Append("Error ").Append(doing).Append(": ").Append(Name(code));
        if (!string.IsNullOrWhiteSpace(message))
            sb.Append(": ").Append(message.TrimEnd('.')).Append('.');
        else
            sb.Append('.');
        if (Hint((ErrorCode)code) is { } hint)
            sb.Append(" Hint: ").Append(hint).Append('.');
        return sb.ToString();
    }

    /// <summary>Throws <see cref="CommandFailedException"/> unless <paramref name="code"/> is NONE.</summary>
    public static void ThrowIfError(short code, string? message, string doing)
    {
        if (code != (short)ErrorCode.None)
            throw new CommandFailedException(Describe(code, message, doing));
    }
}
