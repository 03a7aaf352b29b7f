using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ActorBroker.Protocol.Primitives;

/// <summary>
/// Writes Kafka's wire primitives (big-endian integers, varints, classic and compact strings, bytes,
/// arrays, tagged fields) to an <see cref="IBufferWriter{T}"/>. The mirror of <see cref="KafkaReader"/>.
/// Not thread-safe. <see cref="BytesWritten"/> counts everything written through this instance.
/// </summary>
public sealed class KafkaWriter
{
    private readonly IBufferWriter<byte> _output;

    public KafkaWriter(IBufferWriter<byte> output) => _output = output;

    public IBufferWriter<byte> Output => _output;

    /// <summary>Bytes written through this writer since it was created.</summary>
    public long BytesWritten { get; private set; }

    private Span<byte> Get(int size) => _output.GetSpan(size);

    private void Advance(int count)
    {
        _output.Advance(count);
        BytesWritten += count;
    }

    public void WriteInt8(sbyte value)
    {
        Get(1)[0] = (byte)value;
        Advance(1);
    }

    public void WriteUInt8(byte value)
    {
        Get(1)[0] = value;
        Advance(1);
    }

    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(Get(2), value);
        Advance(2);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Get(2), value);
        Advance(2);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Get(4), value);
        Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Get(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Get(8), value);
        Advance(8);
    }

    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(Get(8), value);
        Advance(8);
    }

    /// <summary>Writes a Kafka UUID: the Guid's 16 bytes big-endian (Java msb then lsb). Mirrors <see cref="KafkaReader.ReadUuid"/>.</summary>
    public void WriteUuid(Guid value)
    {
        value.TryWriteBytes(Get(16), bigEndian: true, out _);
        Advance(16);
    }

    public void WriteUnsignedVarint(uint value)
    {
        int n = Varint.WriteUnsigned(Get(Varint.MaxVarintBytes), value);
        Advance(n);
    }

    public void WriteUnsignedVarlong(ulong value)
    {
        int n = Varint.WriteUnsignedLong(Get(Varint.MaxVarlongBytes), value);
        Advance(n);
    }

    public void WriteVarint(int value)
    {
        int n = Varint.WriteZigZag(Get(Varint.MaxVarintBytes), value);
        Advance(n);
    }

    public void WriteVarlong(long value)
    {
        int n = Varint.WriteZigZagLong(Get(Varint.MaxVarlongBytes), value);
        Advance(n);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        _output.Write(bytes);
        BytesWritten += bytes.Length;
    }

    // ---- strings -------------------------------------------------------------------------------

    private void WriteUtf8(string value, int byteCount)
    {
        if (byteCount == 0)
            return;
        int n = Encoding.UTF8.GetBytes(value, Get(byteCount));
        Advance(n);
    }

    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int len = Encoding.UTF8.GetByteCount(value);
        if (len > short.MaxValue)
            throw new KafkaProtocolException($"String of {len} UTF-8 bytes is longer than {short.MaxValue}, the most an int16-length string can hold.");
        WriteInt16((short)len);
        WriteUtf8(value, len);
    }

    public void WriteNullableString(string? value)
    {
        if (value is null)
            WriteInt16(-1);
        else
            WriteString(value);
    }

    public void WriteCompactString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int len = Encoding.UTF8.GetByteCount(value);
        WriteUnsignedVarint((uint)len + 1);
        WriteUtf8(value, len);
    }

    public void WriteCompactNullableString(string? value)
    {
        if (value is null)
            WriteUnsignedVarint(0);
        else
            WriteCompactString(value);
    }

    public void WriteString(string value, bool compact)
    {
        if (compact) WriteCompactString(value); else WriteString(value);
    }

    public void WriteNullableString(string? value, bool compact)
    {
        if (compact) WriteCompactNullableString(value); else WriteNullableString(value);
    }

    // ---- bytes ---------------------------------------------------------------------------------

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    public void WriteNullableBytes(byte[]? value)
    {
        if (value is null)
            WriteInt32(-1);
        else
            WriteBytes(value);
    }

    public void WriteCompactBytes(ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarint((uint)value.Length + 1);
        WriteRaw(value);
    }

    public void WriteCompactNullableBytes(byte[]? value)
    {
        if (value is null)
            WriteUnsignedVarint(0);
        else
            WriteCompactBytes(value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        if (compact) WriteCompactBytes(value); else WriteBytes(value);
    }

    public void WriteNullableBytes(byte[]? value, bool compact)
    {
        if (compact) WriteCompactNullableBytes(value); else WriteNullableBytes(value);
    }

    public void WriteRecords(ReadOnlyMemory<byte>? records)
    {
        if (records is { } r)
            WriteBytes(r.Span);
        else
            WriteInt32(-1);
    }

    public void WriteCompactRecords(ReadOnlyMemory<byte>? records)
    {
        if (records is { } r)
            WriteCompactBytes(r.Span);
        else
            WriteUnsignedVarint(0);
    }

    public void WriteRecords(ReadOnlyMemory<byte>? records, bool compact)
    {
        if (compact) WriteCompactRecords(records); else WriteRecords(records);
    }

    // ---- arrays and tagged fields --------------------------------------------------------------

    /// <summary>Writes a classic array length; -1 means null.</summary>
    public void WriteArrayLength(int count) => WriteInt32(count);

    /// <summary>Writes a compact array length (N+1); -1 means null (written as 0).</summary>
    public void WriteCompactArrayLength(int count) => WriteUnsignedVarint((uint)(count + 1));

    public void WriteArrayLength(int count, bool compact)
    {
        if (compact) WriteCompactArrayLength(count); else WriteArrayLength(count);
    }

    /// <summary>Writes an empty tagged-field section (a zero count).</summary>
    public void WriteEmptyTaggedFields() => WriteUnsignedVarint(0);

    /// <summary>Writes the number of tagged fields that follow.</summary>
    public void WriteTaggedFieldCount(int count) => WriteUnsignedVarint((uint)count);

    /// <summary>Writes one tagged field: tag, size, then the value bytes.</summary>
    public void WriteTaggedField(uint tag, ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarint(tag);
        WriteUnsignedVarint((uint)value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes one tagged field whose value is produced by <paramref name="writeValue"/> into a scratch buffer.</summary>
    public void WriteTaggedField(uint tag, Action<KafkaWriter> writeValue)
    {
        var scratch = new ArrayBufferWriter<byte>();
        writeValue(new KafkaWriter(scratch));
        WriteTaggedField(tag, scratch.WrittenSpan);
    }
}
