using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Headers;

/// <summary>
/// The request header (RequestHeader.json). v0: api key, api version, correlation id (only ControlledShutdown v0);
/// v1: + client id (nullable, always an int16-length string, even in v2); v2: + tagged fields (flexible requests).
/// </summary>
public sealed class RequestHeader
{
    public ApiKey ApiKey { get; set; }
    public short ApiVersion { get; set; }
    public int CorrelationId { get; set; }
    public string? ClientId { get; set; }

    /// <summary>The header version this header was read with (or should be written with).</summary>
    public short HeaderVersion { get; set; } = 1;

    public RequestHeader() { }

    public RequestHeader(ApiKey apiKey, short apiVersion, int correlationId, string? clientId)
    {
        ApiKey = apiKey;
        ApiVersion = apiVersion;
        CorrelationId = correlationId;
        ClientId = clientId;
        HeaderVersion = ApiMessageTypes.IsKnown(apiKey) ? ApiMessageTypes.RequestHeaderVersion(apiKey, apiVersion) : (short)1;
    }

    /// <summary>
    /// Reads a request header: the api key and version first, then the rest in the header version that
    /// (key, version) implies. An api key the specs do not know is read as header v1, so the caller still
    /// learns the correlation id and can answer or close the connection. Versions above the highest known
    /// one use the flexible rule of their api (so an ApiVersions v9 header is read as v2).
    /// </summary>
    public static RequestHeader Read(ref KafkaReader reader)
    {
        var header = new RequestHeader
        {
            ApiKey = (ApiKey)reader.ReadInt16(),
            ApiVersion = reader.ReadInt16(),
        };
        header.HeaderVersion = ApiMessageTypes.IsKnown(header.ApiKey) && header.ApiVersion >= 0
            ? ApiMessageTypes.RequestHeaderVersion(header.ApiKey, header.ApiVersion)
            : (short)1;
        header.CorrelationId = reader.ReadInt32();
        if (header.HeaderVersion >= 1)
            header.ClientId = reader.ReadNullableString(); // never compact: see RequestHeader.json
        if (header.HeaderVersion >= 2)
            reader.SkipTaggedFields();
        return header;
    }

    /// <summary>Reads a header of a known header version (0, 1 or 2) without consulting the api table.</summary>
    public static RequestHeader Read(ref KafkaReader reader, short headerVersion)
    {
        var header = new RequestHeader
        {
            ApiKey = (ApiKey)reader.ReadInt16(),
            ApiVersion = reader.ReadInt16(),
            CorrelationId = reader.ReadInt32(),
            HeaderVersion = headerVersion,
        };
        if (headerVersion >= 1)
            header.ClientId = reader.ReadNullableString();
        if (headerVersion >= 2)
            reader.SkipTaggedFields();
        return header;
    }

    public void Write(KafkaWriter writer, short headerVersion)
    {
        writer.WriteInt16((short)ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        if (headerVersion >= 1)
            writer.WriteNullableString(ClientId);
        if (headerVersion >= 2)
            writer.WriteEmptyTaggedFields();
    }

    /// <summary>Writes in the header version (key, version) implies.</summary>
    public void Write(KafkaWriter writer) => Write(writer, ApiMessageTypes.RequestHeaderVersion(ApiKey, ApiVersion));

    public override string ToString() =>
        $"{ApiKey} v{ApiVersion} correlationId={CorrelationId} clientId={ClientId ?? "(null)"}";
}
