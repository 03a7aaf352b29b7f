using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ActorBroker.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2. Uses the SSE 4.2 CRC32 instruction when the
/// processor has it and a slicing table otherwise. Thread-safe.
/// </summary>
/// <remarks>
/// The instruction has a latency of three cycles but can start one every cycle, so one dependent chain runs it at a
/// third of its speed. Large inputs are therefore cut into blocks of three equal lanes whose CRCs are computed
/// side by side and then joined: the register of a lane followed by n more bytes is the lane's register shifted
/// by n zero bytes (a multiplication by x^8n modulo the polynomial, done with four table look-ups) xor the
/// register of those n bytes started from zero.
/// </remarks>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reflected Castagnoli polynomial
    private const int LongLane = 8192;
    private const int ShortLane = 256;
    private static readonly uint[] Table = BuildTable();
    private static readonly uint[] LongLaneShift = BuildShiftTable(LongLane);
    private static readonly uint[] ShortLaneShift = BuildShiftTable(ShortLane);

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFF, data);

    /// <summary>Continues a running (non-inverted) CRC state; start with 0xFFFFFFFF and invert at the end.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            while (data.Length >= 3 * LongLane)
            {
                state = AppendThreeLanes(state, data, LongLane, LongLaneShift);
                data = data[(3 * LongLane)..];
            }
            while (data.Length >= 3 * ShortLane)
            {
                state = AppendThreeLanes(state, data, ShortLane, ShortLaneShift);
                data = data[(3 * ShortLane)..];
            }
            ulong crc = state;
            ref byte next = ref MemoryMarshal.GetReference(data);
            int words = data.Length / 8;
            for (int i = 0; i < words; i++)
                crc = Sse42.X64.Crc32(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref next, i * 8)));
            state = (uint)crc;
            data = data[(words * 8)..];
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

    /// <summary>Appends the first 3 × <paramref name="lane"/> bytes of <paramref name="data"/> as three interleaved chains.</summary>
    private static uint AppendThreeLanes(uint state, ReadOnlySpan<byte> data, int lane, uint[] laneShift)
    {
        ref byte first = ref MemoryMarshal.GetReference(data);
        ref byte second = ref Unsafe.Add(ref first, lane);
        ref byte third = ref Unsafe.Add(ref first, 2 * lane);
        ulong a = state, b = 0, c = 0;
        for (int offset = 0; offset < lane; offset += 8)
        {
            a = Sse42.X64.Crc32(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, offset)));
            b = Sse42.X64.Crc32(b, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref second, offset)));
            c = Sse42.X64.Crc32(c, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref third, offset)));
        }
        return Shift(laneShift, Shift(laneShift, (uint)a) ^ (uint)b) ^ (uint)c;
    }

    /// <summary>The register <paramref name="crc"/> after as many zero bytes as the table was built for.</summary>
    private static uint Shift(uint[] table, uint crc) =>
        table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];

    /// <summary>
    /// Four 256-entry tables: entry i of table k is the register (i &lt;&lt; 8k) shifted by <paramref name="zeroBytes"/>
    /// zero bytes. Shifting is linear, so a register's shift is the xor of its four bytes' entries.
    /// </summary>
    private static uint[] BuildShiftTable(int zeroBytes)
    {
        uint multiplier = PowerOfX(8L * zeroBytes);
        var table = new uint[4 * 256];
        for (int k = 0; k < 4; k++)
            for (uint i = 0; i < 256; i++)
                table[k * 256 + i] = MultiplyModP(multiplier, i << (8 * k));
        return table;
    }

    /// <summary>x^n modulo the polynomial, in the reflected bit order of the register (x^0 is the top bit).</summary>
    private static uint PowerOfX(long n)
    {
        uint result = 1u << 31, square = 1u << 30; // x^0 and x^1
        for (; n > 0; n >>= 1)
        {
            if ((n & 1) != 0)
                result = MultiplyModP(square, result);
            square = MultiplyModP(square, square);
        }
        return result;
    }

    /// <summary>a × b modulo the polynomial, both in reflected bit order.</summary>
    private static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (uint bit = 1u << 31; bit != 0; bit >>= 1)
        {
            if ((a & bit) != 0)
                product ^= b;
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
        return product;
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
