namespace ActorBroker.Protocol.Primitives;

/// <summary>
/// Thrown when bytes on the wire do not form a valid Kafka message: truncated input, negative or
/// oversized lengths, over-long varints, invalid UTF-8. The message names what was malformed.
/// A gateway should answer (or close the connection) rather than crash on it.
/// </summary>
public sealed class KafkaProtocolException : Exception
{
    public KafkaProtocolException(string message) : base(message) { }

    public KafkaProtocolException(string message, Exception inner) : base(message, inner) { }
}
