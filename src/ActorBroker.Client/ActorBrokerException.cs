using ActorBroker.Protocol;

namespace ActorBroker.Client;

/// <summary>
/// A request the brokers refused or could not answer, with the Kafka error code a Kafka client would have seen.
/// <see cref="IsRetriable"/> says whether the same request may succeed later (Kafka's RetriableException).
/// </summary>
public class ActorBrokerException(ErrorCode code, string message, Exception? inner = null) : Exception($"{code}: {message}", inner)
{
    public ErrorCode Code { get; } = code;

    public bool IsRetriable => IsRetriableCode(Code);

    public static bool IsRetriableCode(ErrorCode code) => code is ErrorCode.RequestTimedOut or ErrorCode.BrokerNotAvailable
        or ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderOrFollower or ErrorCode.NetworkException
        or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress or ErrorCode.NotCoordinator
        or ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.KafkaStorageError;

    /// <summary>Throws when <paramref name="code"/> is an error.</summary>
    public static void ThrowIfError(ErrorCode code, string? message, string what)
    {
        if (code != ErrorCode.None)
            throw new ActorBrokerException(code, message is null ? what : $"{what}: {message}");
    }
}
