using System.Buffers;
using ActorBroker.Protocol.Primitives;
using Xunit;

namespace ActorBroker.Protocol.Tests.Primitives;

public class KafkaReaderWriterTests
{
    private static byte[] Write(Action<KafkaWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new KafkaWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Integers_are_big_endian_and_round_trip()
    {
        var bytes = Write(w =>
        {
            w.WriteInt8(-2);
            w.WriteInt16(0x0102);
            w.WriteInt32(0x01020304);
            w.WriteInt64(0x0102030405060708);
            w.WriteUInt16(0xFFFE);
            w.WriteUInt32(0xFFFFFFFE);
            w.WriteFloat64(1.5);
            w.WriteBool(true);
        });
        Assert.Equal(new byte[] { 0xFE, 1, 2, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE }, bytes[..21]);
        var r = new KafkaReader(bytes);
        Assert.Equal(-2, r.ReadInt8());
        Assert.Equal(0x0102, r.ReadInt16());
        Assert.Equal(0x01020304, r.ReadInt32());
        Assert.Equal(0x0102030405060708, r.ReadInt64());
        Assert.Equal(0xFFFE, r.ReadUInt16());
        Assert.Equal(0xFFFFFFFE, r.ReadUInt32());
        Assert.Equal(1.5, r.ReadFloat64());
        Assert.True(r.ReadBool());
        Assert.Equal(0, r.Remaining);
    }

    [Fact]
    public void Uuid_round_trips_the_exact_16_bytes_in_java_order()
    {
        var bytes = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var r = new KafkaReader(bytes);
        Guid g = r.ReadUuid();
        Assert.Equal("01020304-0506-0708-090a-0b0c0d0e0f10", g.ToString());
        Assert.Equal(bytes, Write(w => w.WriteUuid(g)));
    }

    [Theory]
    [InlineData(0u, new byte[] { 0 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Unsigned_varint_matches_known_encodings(uint value, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteUnsignedVarint(value)));
        var r = new KafkaReader(expected);
        Assert.Equal(value, r.ReadUnsignedVarint());
    }

    [Fact]
    public void Signed_varints_use_zigzag()
    {
        var bytes = Write(w => { w.WriteVarint(-1); w.WriteVarint(1); w.WriteVarlong(-2); w.WriteVarlong(long.MinValue); });
        Assert.Equal(new byte[] { 1, 2, 3 }, bytes[..3]);
        var r = new KafkaReader(bytes);
        Assert.Equal(-1, r.ReadVarint());
        Assert.Equal(1, r.ReadVarint());
        Assert.Equal(-2, r.ReadVarlong());
        Assert.Equal(long.MinValue, r.ReadVarlong());
    }

    [Fact]
    public void Classic_and_compact_strings_round_trip_including_null()
    {
        var bytes = Write(w =>
        {
            w.WriteString("héllo");
            w.WriteNullableString(null);
            w.WriteCompactString("abc");
            w.WriteCompactNullableString(null);
            w.WriteCompactString("");
        });
        Assert.Equal(new byte[] { 0, 6 }, bytes[..2]);
        var r = new KafkaReader(bytes);
        Assert.Equal("héllo", r.ReadString());
        Assert.Null(r.ReadNullableString());
        Assert.Equal("abc", r.ReadCompactString());
        Assert.Null(r.ReadCompactNullableString());
        Assert.Equal("", r.ReadCompactString());
        Assert.Equal(0, r.Remaining);
    }

    [Fact]
    public void Bytes_round_trip_and_records_are_slices_of_the_input()
    {
        var bytes = Write(w =>
        {
            w.WriteBytes(new byte[] { 1, 2 });
            w.WriteNullableBytes(null);
            w.WriteCompactBytes(new byte[] { 3 });
            w.WriteCompactNullableBytes(null);
            w.WriteRecords(new byte[] { 9, 9, 9 });
            w.WriteCompactRecords(null);
            w.WriteCompactRecords(new byte[] { 7 });
        });
        var memory = new ReadOnlyMemory<byte>(bytes);
        var r = new KafkaReader(memory);
        Assert.Equal(new byte[] { 1, 2 }, r.ReadBytes());
        Assert.Null(r.ReadNullableBytes());
        Assert.Equal(new byte[] { 3 }, r.ReadCompactBytes());
        Assert.Null(r.ReadCompactNullableBytes());
        var records = r.ReadRecords();
        Assert.NotNull(records);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records.Value, out var segment));
        Assert.Same(bytes, segment.Array); // no copy
        Assert.Equal(new byte[] { 9, 9, 9 }, records.Value.ToArray());
        Assert.Null(r.ReadCompactRecords());
        Assert.Equal(new byte[] { 7 }, r.ReadCompactRecords()!.Value.ToArray());
    }

    [Fact]
    public void Tagged_fields_are_skipped_or_handled_by_tag()
    {
        var bytes = Write(w =>
        {
            w.WriteTaggedFieldCount(2);
            w.WriteTaggedField(1, x => x.WriteInt32(42));
            w.WriteTaggedField(5, new byte[] { 1, 2, 3 });
            w.WriteInt8(7);
        });
        var skip = new KafkaReader(bytes);
        skip.SkipTaggedFields();
        Assert.Equal(7, skip.ReadInt8());

        var handled = new KafkaReader(bytes);
        int seen = 0;
        handled.ReadTaggedFields((uint tag, ref KafkaReader field) =>
        {
            if (tag != 1)
                return false;
            seen = field.ReadInt32();
            return true;
        });
        Assert.Equal(42, seen);
        Assert.Equal(7, handled.ReadInt8());
    }

    private delegate void ReadAction(ref KafkaReader reader);

    private static KafkaProtocolException Malformed(byte[] bytes, ReadAction read)
    {
        try
        {
            var reader = new KafkaReader(bytes);
            read(ref reader);
        }
        catch (KafkaProtocolException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("Expected a KafkaProtocolException.");
    }

    [Fact]
    public void Truncated_integers_throw_protocol_exception()
    {
        Assert.Contains("int32", Malformed(new byte[] { 0, 0, 1 }, (ref KafkaReader r) => r.ReadInt32()).Message);
        Malformed(Array.Empty<byte>(), (ref KafkaReader r) => r.ReadInt8());
        Malformed(new byte[7], (ref KafkaReader r) => r.ReadInt64());
        Malformed(new byte[15], (ref KafkaReader r) => r.ReadUuid());
    }

    [Fact]
    public void Negative_lengths_other_than_minus_one_are_malformed()
    {
        Assert.Contains("negative length", Malformed(new byte[] { 0xFF, 0xFE }, (ref KafkaReader r) => r.ReadNullableString()).Message);
        Malformed(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE }, (ref KafkaReader r) => r.ReadNullableBytes());
        Malformed(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE }, (ref KafkaReader r) => r.ReadArrayLength());
        Malformed(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0 }, (ref KafkaReader r) => r.ReadRecords());
    }

    [Fact]
    public void Null_where_a_non_nullable_value_is_required_is_malformed()
    {
        Malformed(new byte[] { 0xFF, 0xFF }, (ref KafkaReader r) => r.ReadString());
        Malformed(new byte[] { 0 }, (ref KafkaReader r) => r.ReadCompactString());
        Malformed(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, (ref KafkaReader r) => r.ReadBytes());
    }

    [Fact]
    public void Lengths_beyond_the_remaining_bytes_are_malformed_without_allocating()
    {
        Assert.Contains("exceeds", Malformed(new byte[] { 0, 10, (byte)'a' }, (ref KafkaReader r) => r.ReadString()).Message);
        Malformed(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF }, (ref KafkaReader r) => r.ReadBytes());
        Assert.Contains("cannot fit", Malformed(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 0 }, (ref KafkaReader r) => r.ReadArrayLength()).Message);
        Malformed(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07 }, (ref KafkaReader r) => r.ReadCompactArrayLength());
        Malformed(new byte[] { 0x05, 1, 2 }, (ref KafkaReader r) => r.ReadCompactRecords());
        Malformed(new byte[] { 1, 1, 10, 0 }, (ref KafkaReader r) => r.SkipTaggedFields());
    }

    [Fact]
    public void Overlong_or_truncated_varints_are_malformed()
    {
        Assert.Contains("longer than 5", Malformed(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, (ref KafkaReader r) => r.ReadUnsignedVarint()).Message);
        Assert.Contains("Truncated", Malformed(new byte[] { 0x80, 0x80 }, (ref KafkaReader r) => r.ReadUnsignedVarint()).Message);
    }

    [Fact]
    public void Invalid_utf8_is_malformed()
    {
        Assert.Contains("UTF-8", Malformed(new byte[] { 0, 2, 0xC3, 0x28 }, (ref KafkaReader r) => r.ReadString()).Message);
    }
}
