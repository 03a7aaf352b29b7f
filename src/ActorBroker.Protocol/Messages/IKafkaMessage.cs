using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Messages;

/// <summary>
/// Implemented by every generated request and response class, so a gateway can handle messages without
/// knowing their type. Each class also has <c>static Read(ref KafkaReader, short)</c>; see
/// <see cref="ApiMessageTypes.ReadRequest"/> and <see cref="ApiMessageTypes.ReadResponse"/> to read by api key.
/// </summary>
public interface IKafkaMessage
{
    /// <summary>The api this message belongs to.</summary>
    ApiKey ApiKey { get; }

    /// <summary>True for requests, false for responses.</summary>
    bool IsRequest { get; }

    /// <summary>Writes the body (no header) in the given version.</summary>
    void Write(KafkaWriter writer, short version);
}
