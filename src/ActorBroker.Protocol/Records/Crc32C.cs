using System.Runtime.Intrinsics.X86;

namespace ActorBroker.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2. Uses the SSE 4.2 CRC32 instruction when the
/// processor has it and a slicing table otherwise. Thread-safe.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reflected Castagnoli polynomial
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFF, data);

    /// <summary>Continues a running (non-inverted) CRC state; start with 0xFFFFFFFF and invert at the end.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong crc = state;
            while (data.Length >= 8)
            {
                crc = Sse42.X64.Crc32(crc, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            state = (uint)crc;
        }
        if (Sse42.IsSupported)
        {
            foreach (byte b in data)
                state = Sse42.Crc32(state, b);
            return state;
        }
        foreach (byte b in data)
            state = Table[(state ^ b) & 0xFF] ^ (state >> 8);
        return state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
