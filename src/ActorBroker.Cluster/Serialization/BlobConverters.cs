using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorBroker.Cluster.Serialization;

/// <summary>
/// The JSON converters that move byte payloads out of <see cref="WireMessageSerializer"/>'s JSON into its blob
/// section (see its frame layout). Serialization is synchronous, so the frame being written or read is kept per
/// thread for the duration of one <c>ToBinary</c>/<c>FromBinary</c> call; outside one the converters throw.
/// </summary>
internal static class BlobConverters
{
    [ThreadStatic]
    private static BlobWriter? _writer;

    [ThreadStatic]
    private static BlobReader? _reader;

    public static BlobWriter BeginWrite() => _writer = new BlobWriter();

    /// <summary>Splits <paramref name="frame"/> into its JSON (returned) and blob section (kept for the converters).</summary>
    public static void BeginRead(byte[] frame, out ReadOnlySpan<byte> json)
    {
        if (frame.Length < 4)
            throw new SerializationException($"A wire frame of {frame.Length} bytes is shorter than its length prefix.");
        int length = BinaryPrimitives.ReadInt32BigEndian(frame);
        if (length < 0 || length > frame.Length - 4)
            throw new SerializationException($"A wire frame of {frame.Length} bytes claims {length} bytes of JSON.");
        _reader = new BlobReader(frame, 4 + length);
        json = frame.AsSpan(4, length);
    }

    public static void End()
    {
        _writer = null;
        _reader = null;
    }

    private static BlobWriter Writer =>
        _writer ?? throw new InvalidOperationException("Byte payloads of cluster messages are written by WireMessageSerializer only.");

    private static BlobReader Reader =>
        _reader ?? throw new InvalidOperationException("Byte payloads of cluster messages are read by WireMessageSerializer only.");

    public sealed class ByteArray : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Reader.Read(ref reader).ToArray();

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) => Writer.Write(writer, value);
    }

    public sealed class Memory : JsonConverter<Memory<byte>>
    {
        public override Memory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Reader.Read(ref reader);

        public override void Write(Utf8JsonWriter writer, Memory<byte> value, JsonSerializerOptions options) => Writer.Write(writer, value);
    }

    public sealed class ReadOnlyMemory : JsonConverter<ReadOnlyMemory<byte>>
    {
        public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Reader.Read(ref reader);

        public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options) => Writer.Write(writer, value);
    }

    /// <summary>Collects the payloads of one message (by reference) and lays out the frame with a single copy of each.</summary>
    public sealed class BlobWriter
    {
        private readonly List<ReadOnlyMemory<byte>> _blobs = [];
        private long _length;

        public void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> blob)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(_length);
            writer.WriteNumberValue(blob.Length);
            writer.WriteEndArray();
            _blobs.Add(blob);
            _length += blob.Length;
        }

        public byte[] Frame(byte[] json)
        {
            long size = 4L + json.Length + _length;
            if (size > Array.MaxLength)
                throw new SerializationException($"A cluster message of {size} bytes is too large to send.");
            var frame = GC.AllocateUninitializedArray<byte>((int)size); // every byte is written below
            BinaryPrimitives.WriteInt32BigEndian(frame, json.Length);
            json.CopyTo(frame.AsSpan(4));
            int at = 4 + json.Length;
            foreach (var blob in _blobs)
            {
                blob.Span.CopyTo(frame.AsSpan(at));
                at += blob.Length;
            }
            return frame;
        }
    }

    private sealed class BlobReader(byte[] frame, int blobStart)
    {
        public Memory<byte> Read(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || !reader.TryGetInt64(out long offset)
                || !reader.Read() || !reader.TryGetInt32(out int length) || !reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                throw new SerializationException("A byte payload of a cluster message is not an [offset, length] pair.");
            if (offset < 0 || length < 0 || offset + length > frame.Length - blobStart)
                throw new SerializationException($"A byte payload [{offset}, {length}] lies outside the frame's {frame.Length - blobStart}-byte blob section.");
            return frame.AsMemory(blobStart + (int)offset, length);
        }
    }
}
