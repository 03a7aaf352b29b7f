using System.Buffers.Binary;
using System.Text;

namespace ActorBroker.Protocol.Primitives;

/// <summary>
/// A forward-only reader of Kafka's wire primitives over <see cref="ReadOnlyMemory{T}"/>. Pass it as
/// <c>ref KafkaReader</c>. Every read is bounds-checked and throws <see cref="KafkaProtocolException"/>
/// on truncated or malformed input; lengths are checked against the remaining bytes before anything is
/// allocated, so hostile counts cannot make it allocate huge arrays. Byte fields of kind "records" are
/// returned as slices of the input (no copy). Not thread-safe (it is a mutable struct).
/// </summary>
public struct KafkaReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _buffer;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public KafkaReader(byte[] buffer) : this(new ReadOnlyMemory<byte>(buffer)) { }

    /// <summary>The offset of the next byte to read.</summary>
    public int Position
    {
        readonly get => _position;
        set
        {
            if (value < 0 || value > _buffer.Length)
                throw new ArgumentOutOfRangeException(nameof(value));
            _position = value;
        }
    }

    public readonly int Remaining => _buffer.Length - _position;
    public readonly bool End => _position >= _buffer.Length;
    public readonly ReadOnlyMemory<byte> Buffer => _buffer;
    public readonly ReadOnlyMemory<byte> RemainingMemory => _buffer[_position..];

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count < 0 || count > Remaining)
            throw new KafkaProtocolException($"Truncated input reading {what}: needed {count} bytes at offset {_position}, {Remaining} remaining.");
        var span = _buffer.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    private ReadOnlyMemory<byte> TakeMemory(int count, string what)
    {
        if (count < 0 || count > Remaining)
            throw new KafkaProtocolException($"Truncated input reading {what}: needed {count} bytes at offset {_position}, {Remaining} remaining.");
        var memory = _buffer.Slice(_position, count);
        _position += count;
        return memory;
    }

    public void Skip(int count) => Take(count, "skipped bytes");

    public sbyte ReadInt8() => (sbyte)Take(1, "int8")[0];
    public byte ReadUInt8() => Take(1, "uint8")[0];
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2, "int16"));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2, "uint16"));
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "int32"));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4, "uint32"));
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "int64"));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8, "float64"));

    public bool ReadBool()
    {
        byte b = Take(1, "bool")[0];
        return b != 0;
    }

    /// <summary>
    /// Reads a Kafka UUID: 16 bytes, Java's most significant long then least significant long, both
    /// big-endian. The Guid is built big-endian, so its string form equals Java's and
    /// <see cref="KafkaWriter.WriteUuid"/> writes the same 16 bytes back.
    /// </summary>
    public Guid ReadUuid() => new(Take(16, "uuid"), bigEndian: true);

    public uint ReadUnsignedVarint()
    {
        if (!Varint.TryReadUnsigned(_buffer.Span[_position..], out uint value, out int read))
            throw new KafkaProtocolException(Remaining < Varint.MaxVarintBytes && !HasTerminator(Varint.MaxVarintBytes)
                ? $"Truncated input reading unsigned varint at offset {_position}."
                : $"Malformed unsigned varint (longer than 5 bytes) at offset {_position}.");
        _position += read;
        return value;
    }

    public ulong ReadUnsignedVarlong()
    {
        if (!Varint.TryReadUnsignedLong(_buffer.Span[_position..], out ulong value, out int read))
            throw new KafkaProtocolException(Remaining < Varint.MaxVarlongBytes && !HasTerminator(Varint.MaxVarlongBytes)
                ? $"Truncated input reading unsigned varlong at offset {_position}."
                : $"Malformed unsigned varlong (longer than 10 bytes) at offset {_position}.");
        _position += read;
        return value;
    }

    public int ReadVarint()
    {
        uint raw = ReadUnsignedVarint();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long ReadVarlong()
    {
        ulong raw = ReadUnsignedVarlong();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    private readonly bool HasTerminator(int max)
    {
        var rest = _buffer.Span[_position..];
        for (int i = 0; i < rest.Length && i < max; i++)
            if ((rest[i] & 0x80) == 0)
                return true;
        return false;
    }

    // ---- lengths -------------------------------------------------------------------------------

    /// <summary>int16 length of a classic string: -1 is null, other negatives are malformed.</summary>
    private int ReadStringLength(string what)
    {
        short len = ReadInt16();
        if (len < -1)
            throw new KafkaProtocolException($"Malformed {what}: negative length {len}.");
        return len;
    }

    /// <summary>Compact length (unsigned varint N+1, 0 is null) as a signed length with -1 for null.</summary>
    private int ReadCompactLength(string what)
    {
        uint raw = ReadUnsignedVarint();
        if (raw > int.MaxValue)
            throw new KafkaProtocolException($"Malformed {what}: compact length {raw} is too large.");
        return (int)raw - 1;
    }

    private int ReadInt32Length(string what)
    {
        int len = ReadInt32();
        if (len < -1)
            throw new KafkaProtocolException($"Malformed {what}: negative length {len}.");
        return len;
    }

    private void CheckAvailable(int len, string what)
    {
        if (len > Remaining)
            throw new KafkaProtocolException($"Malformed {what}: length {len} exceeds the {Remaining} bytes remaining at offset {_position}.");
    }

    /// <summary>
    /// Reads a classic (int32) array length: -1 is null. The count is checked against the remaining bytes
    /// (each element takes at least one byte), so a hostile count cannot trigger a huge allocation.
    /// </summary>
    public int ReadArrayLength()
    {
        int len = ReadInt32Length("array");
        if (len > Remaining)
            throw new KafkaProtocolException($"Malformed array: {len} elements cannot fit in the {Remaining} bytes remaining at offset {_position}.");
        return len;
    }

    /// <summary>Reads a compact array length (unsigned varint N+1): -1 is null. Bounded like <see cref="ReadArrayLength"/>.</summary>
    public int ReadCompactArrayLength()
    {
        int len = ReadCompactLength("compact array");
        if (len > Remaining)
            throw new KafkaProtocolException($"Malformed compact array: {len} elements cannot fit in the {Remaining} bytes remaining at offset {_position}.");
        return len;
    }

    /// <summary>Reads an array length in the classic or compact encoding.</summary>
    public int ReadArrayLength(bool compact) => compact ? ReadCompactArrayLength() : ReadArrayLength();

    // ---- strings -------------------------------------------------------------------------------

    private string DecodeString(int len, string what)
    {
        CheckAvailable(len, what);
        var bytes = Take(len, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new KafkaProtocolException($"Malformed {what}: invalid UTF-8.", e);
        }
    }

    public string ReadString()
    {
        int len = ReadStringLength("string");
        if (len < 0)
            throw new KafkaProtocolException($"Malformed string: null (length -1) where a non-null string is required, at offset {_position - 2}.");
        return DecodeString(len, "string");
    }

    public string? ReadNullableString()
    {
        int len = ReadStringLength("nullable string");
        return len < 0 ? null : DecodeString(len, "nullable string");
    }

    public string ReadCompactString()
    {
        int len = ReadCompactLength("compact string");
        if (len < 0)
            throw new KafkaProtocolException($"Malformed compact string: null where a non-null string is required, at offset {_position}.");
        return DecodeString(len, "compact string");
    }

    public string? ReadCompactNullableString()
    {
        int len = ReadCompactLength("compact nullable string");
        return len < 0 ? null : DecodeString(len, "compact nullable string");
    }

    public string ReadString(bool compact) => compact ? ReadCompactString() : ReadString();
    public string? ReadNullableString(bool compact) => compact ? ReadCompactNullableString() : ReadNullableString();

    // ---- bytes ---------------------------------------------------------------------------------

    private byte[] CopyBytes(int len, string what)
    {
        CheckAvailable(len, what);
        return Take(len, what).ToArray();
    }

    public byte[] ReadBytes()
    {
        int len = ReadInt32Length("bytes");
        if (len < 0)
            throw new KafkaProtocolException($"Malformed bytes: null where non-null bytes are required, at offset {_position - 4}.");
        return CopyBytes(len, "bytes");
    }

    public byte[]? ReadNullableBytes()
    {
        int len = ReadInt32Length("nullable bytes");
        return len < 0 ? null : CopyBytes(len, "nullable bytes");
    }

    public byte[] ReadCompactBytes()
    {
        int len = ReadCompactLength("compact bytes");
        if (len < 0)
            throw new KafkaProtocolException($"Malformed compact bytes: null where non-null bytes are required, at offset {_position}.");
        return CopyBytes(len, "compact bytes");
    }

    public byte[]? ReadCompactNullableBytes()
    {
        int len = ReadCompactLength("compact nullable bytes");
        return len < 0 ? null : CopyBytes(len, "compact nullable bytes");
    }

    public byte[] ReadBytes(bool compact) => compact ? ReadCompactBytes() : ReadBytes();
    public byte[]? ReadNullableBytes(bool compact) => compact ? ReadCompactNullableBytes() : ReadNullableBytes();

    /// <summary>Reads int32-length records (null when -1) as a slice of the input, without copying.</summary>
    public ReadOnlyMemory<byte>? ReadRecords()
    {
        int len = ReadInt32Length("records");
        if (len < 0)
            return null;
        CheckAvailable(len, "records");
        return TakeMemory(len, "records");
    }

    /// <summary>Reads compact-length records (null when 0) as a slice of the input, without copying.</summary>
    public ReadOnlyMemory<byte>? ReadCompactRecords()
    {
        int len = ReadCompactLength("compact records");
        if (len < 0)
            return null;
        CheckAvailable(len, "compact records");
        return TakeMemory(len, "compact records");
    }

    public ReadOnlyMemory<byte>? ReadRecords(bool compact) => compact ? ReadCompactRecords() : ReadRecords();

    /// <summary>Reads <paramref name="count"/> raw bytes as a slice of the input.</summary>
    public ReadOnlyMemory<byte> ReadRawMemory(int count, string what = "raw bytes") => TakeMemory(count, what);

    // ---- tagged fields -------------------------------------------------------------------------

    /// <summary>Reads a tagged-field section and discards every field in it.</summary>
    public void SkipTaggedFields()
    {
        uint count = ReadUnsignedVarint();
        for (uint i = 0; i < count; i++)
        {
            ReadUnsignedVarint(); // tag
            SkipTaggedFieldValue();
        }
    }

    /// <summary>Reads the size of one tagged field and skips its value.</summary>
    public void SkipTaggedFieldValue()
    {
        uint size = ReadUnsignedVarint();
        if (size > (uint)Remaining)
            throw new KafkaProtocolException($"Malformed tagged field: size {size} exceeds the {Remaining} bytes remaining at offset {_position}.");
        _position += (int)size;
    }

    /// <summary>
    /// Reads a tagged-field section, calling <paramref name="onField"/> for each field with the tag and a
    /// reader positioned over exactly that field's bytes. The handler returns false for unknown tags (which
    /// are skipped). A handler that reads past or short of the field's size makes the field malformed.
    /// </summary>
    public void ReadTaggedFields(TaggedFieldHandler onField)
    {
        uint count = ReadUnsignedVarint();
        uint lastTag = 0;
        for (uint i = 0; i < count; i++)
        {
            uint tag = ReadUnsignedVarint();
            if (i > 0 && tag <= lastTag)
                throw new KafkaProtocolException($"Malformed tagged fields: tag {tag} is not greater than the previous tag {lastTag}.");
            lastTag = tag;
            uint size = ReadUnsignedVarint();
            if (size > (uint)Remaining)
                throw new KafkaProtocolException($"Malformed tagged field {tag}: size {size} exceeds the {Remaining} bytes remaining at offset {_position}.");
            var field = new KafkaReader(_buffer.Slice(_position, (int)size));
            _position += (int)size;
            if (onField(tag, ref field) && field.Remaining != 0)
                throw new KafkaProtocolException($"Malformed tagged field {tag}: {field.Remaining} bytes left unread of {size}.");
        }
    }

    /// <summary>Reads the tagged-field count and returns it; use with <see cref="ReadTaggedField"/> in a loop.</summary>
    public uint ReadTaggedFieldCount() => ReadUnsignedVarint();

    /// <summary>Reads one tag and size header and returns a sub-reader over that field's bytes.</summary>
    public KafkaReader ReadTaggedField(out uint tag)
    {
        tag = ReadUnsignedVarint();
        uint size = ReadUnsignedVarint();
        if (size > (uint)Remaining)
            throw new KafkaProtocolException($"Malformed tagged field {tag}: size {size} exceeds the {Remaining} bytes remaining at offset {_position}.");
        var field = new KafkaReader(_buffer.Slice(_position, (int)size));
        _position += (int)size;
        return field;
    }
}

/// <summary>Handles one tagged field; returns false when the tag is unknown (the field is then skipped).</summary>
public delegate bool TaggedFieldHandler(uint tag, ref KafkaReader field);
