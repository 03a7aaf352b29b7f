namespace ActorBroker.Protocol.Primitives;

/// <summary>
/// Kafka's variable-length integers: unsigned LEB128 (tagged fields, compact lengths) and the
/// zig-zag signed form used inside RecordBatch v2 records. Pure functions over spans; thread-safe.
/// </summary>
public static class Varint
{
    public const int MaxVarintBytes = 5;
    public const int MaxVarlongBytes = 10;

    /// <summary>Reads an unsigned varint; returns false if the span ends first or it is longer than 5 bytes.</summary>
    public static bool TryReadUnsigned(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        value = 0;
        for (int i = 0, shift = 0; i < source.Length && i < MaxVarintBytes; i++, shift += 7)
        {
            byte b = source[i];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                bytesRead = i + 1;
                return true;
            }
        }
        bytesRead = 0;
        return false;
    }

    public static bool TryReadUnsignedLong(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        value = 0;
        for (int i = 0, shift = 0; i < source.Length && i < MaxVarlongBytes; i++, shift += 7)
        {
            byte b = source[i];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                bytesRead = i + 1;
                return true;
            }
        }
        bytesRead = 0;
        return false;
    }

    public static bool TryReadZigZag(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        bool ok = TryReadUnsigned(source, out uint raw, out bytesRead);
        value = (int)(raw >> 1) ^ -(int)(raw & 1);
        return ok;
    }

    public static bool TryReadZigZagLong(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        bool ok = TryReadUnsignedLong(source, out ulong raw, out bytesRead);
        value = (long)(raw >> 1) ^ -(long)(raw & 1);
        return ok;
    }

    /// <summary>Writes an unsigned varint into <paramref name="destination"/> (at least 5 bytes) and returns the bytes used.</summary>
    public static int WriteUnsigned(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteUnsignedLong(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteZigZag(Span<byte> destination, int value) =>
        WriteUnsigned(destination, (uint)((value << 1) ^ (value >> 31)));

    public static int WriteZigZagLong(Span<byte> destination, long value) =>
        WriteUnsignedLong(destination, (ulong)((value << 1) ^ (value >> 63)));

    public static int SizeOfUnsigned(uint value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int SizeOfZigZag(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfZigZagLong(long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        int size = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            size++;
        }
        return size;
    }
}
