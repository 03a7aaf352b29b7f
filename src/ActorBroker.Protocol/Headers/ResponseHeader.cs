using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Headers;

/// <summary>
/// The response header (ResponseHeader.json). v0: correlation id; v1: + tagged fields (flexible responses,
/// except ApiVersions which always uses v0). Use <see cref="ApiMessageTypes.ResponseHeaderVersion"/>.
/// </summary>
public sealed class ResponseHeader
{
    public int CorrelationId { get; set; }

    public ResponseHeader() { }

    public ResponseHeader(int correlationId) => CorrelationId = correlationId;

    public static ResponseHeader Read(ref KafkaReader reader, short headerVersion)
    {
        var header = new ResponseHeader { CorrelationId = reader.ReadInt32() };
        if (headerVersion >= 1)
            reader.SkipTaggedFields();
        return header;
    }

    public void Write(KafkaWriter writer, short headerVersion)
    {
        writer.WriteInt32(CorrelationId);
        if (headerVersion >= 1)
            writer.WriteEmptyTaggedFields();
    }

    /// <summary>Writes the header a response to (key, version) needs.</summary>
    public static void Write(KafkaWriter writer, int correlationId, ApiKey key, short version) =>
        new ResponseHeader(correlationId).Write(writer, ApiMessageTypes.ResponseHeaderVersion(key, version));
}
