using System.Text;
using ActorBroker.Protocol.Records;
using Xunit;

namespace ActorBroker.Protocol.Tests.Records;

public class Crc32CTests
{
    /// <summary>Bit by bit, straight from the definition: the oracle the fast paths are checked against.</summary>
    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Crc32c_of_the_standard_check_string_is_E3069283()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Crc32c_in_pieces_equals_crc32c_at_once()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        uint state = Crc32C.Append(0xFFFFFFFF, data.AsSpan(0, 333));
        state = Crc32C.Append(state, data.AsSpan(333));
        Assert.Equal(Crc32C.Compute(data), ~state);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(767)]
    [InlineData(768)] // one block of three short lanes
    [InlineData(769)]
    [InlineData(775)]
    [InlineData(1536)]
    [InlineData(24_575)]
    [InlineData(24_576)] // one block of three long lanes
    [InlineData(24_577)]
    [InlineData(24_576 + 768 + 13)]
    [InlineData(1_048_576 + 5)]
    public void Crc32c_of_inputs_around_the_interleaved_block_sizes_matches_the_bitwise_definition(int length)
    {
        var data = RandomBytes(length, seed: length);
        Assert.Equal(BitwiseCrc32C(data), Crc32C.Compute(data));
    }

    [Fact]
    public void Crc32c_of_unaligned_slices_of_random_lengths_matches_the_bitwise_definition()
    {
        var data = RandomBytes(200_000, seed: 1);
        var random = new Random(2);
        for (int i = 0; i < 200; i++)
        {
            int start = random.Next(0, 64);
            int length = random.Next(0, data.Length - start);
            var slice = data.AsSpan(start, length);
            Assert.Equal(BitwiseCrc32C(slice), Crc32C.Compute(slice));
        }
    }

    [Fact]
    public void Crc32c_appended_in_pieces_that_cut_through_interleaved_blocks_equals_crc32c_at_once()
    {
        var data = RandomBytes(100_000, seed: 3);
        var random = new Random(4);
        uint expected = BitwiseCrc32C(data);
        for (int i = 0; i < 20; i++)
        {
            uint state = 0xFFFFFFFF;
            int done = 0;
            while (done < data.Length)
            {
                int piece = Math.Min(random.Next(1, 40_000), data.Length - done);
                state = Crc32C.Append(state, data.AsSpan(done, piece));
                done += piece;
            }
            Assert.Equal(expected, ~state);
        }
    }
}
