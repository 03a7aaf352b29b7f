using System.Buffers.Binary;
using System.IO.Compression;
using ActorBroker.Protocol.Primitives;
using K4os.Compression.LZ4.Streams;
using Snappier;

namespace ActorBroker.Protocol.Records;

/// <summary>
/// The compression codecs of RecordBatch v2 (the records section after the header is compressed as one
/// blob). Gzip via System.IO.Compression; snappy via Snappier, reading both the xerial framing of
/// Kafka's Java client (magic 0x82 "SNAPPY" 0, version, compatible version, then [int32 length][raw block]*)
/// and the raw snappy blocks librdkafka writes, and writing xerial; lz4 as the LZ4 frame format
/// (K4os LZ4Stream); zstd via ZstdSharp. Stateless and thread-safe.
/// </summary>
public static class RecordCodecs
{
    public const int DefaultMaxDecompressedBytes = 256 * 1024 * 1024;

    private static ReadOnlySpan<byte> XerialMagic => new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0 };
    private const int XerialHeaderSize = 16;
    private const int XerialBlockSize = 32 * 1024;

    public static byte[] Decompress(CompressionType type, ReadOnlySpan<byte> data, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        try
        {
            return type switch
            {
                CompressionType.None => data.ToArray(),
                CompressionType.Gzip => ReadAll(new GZipStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress), maxDecompressedBytes),
                CompressionType.Snappy => DecompressSnappy(data, maxDecompressedBytes),
                CompressionType.Lz4 => ReadAll(LZ4Stream.Decode(new MemoryStream(data.ToArray())), maxDecompressedBytes),
                CompressionType.Zstd => ReadAll(new ZstdSharp.DecompressionStream(new MemoryStream(data.ToArray())), maxDecompressedBytes),
                _ => throw new KafkaProtocolException($"Unsupported compression type {(int)type}."),
            };
        }
        catch (KafkaProtocolException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new KafkaProtocolException($"Corrupt {type} compressed records: {e.Message}", e);
        }
    }

    public static byte[] Compress(CompressionType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case CompressionType.None:
                return data.ToArray();
            case CompressionType.Gzip:
            {
                var output = new MemoryStream();
                using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
                    gzip.Write(data);
                return output.ToArray();
            }
            case CompressionType.Snappy:
                return CompressXerialSnappy(data);
            case CompressionType.Lz4:
            {
                var output = new MemoryStream();
                using (var lz4 = LZ4Stream.Encode(output, leaveOpen: true))
                    lz4.Write(data);
                return output.ToArray();
            }
            case CompressionType.Zstd:
            {
                var output = new MemoryStream();
                using (var zstd = new ZstdSharp.CompressionStream(output, 3, leaveOpen: true))
                    zstd.Write(data);
                return output.ToArray();
            }
            default:
                throw new KafkaProtocolException($"Unsupported compression type {(int)type}.");
        }
    }

    private static byte[] ReadAll(Stream stream, int max)
    {
        using (stream)
        {
            var output = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + n > max)
                    throw new KafkaProtocolException($"Decompressed records exceed the limit of {max} bytes.");
                output.Write(buffer, 0, n);
            }
            return output.ToArray();
        }
    }

    private static byte[] DecompressSnappy(ReadOnlySpan<byte> data, int max)
    {
        if (data.Length >= XerialHeaderSize && data[..XerialMagic.Length].SequenceEqual(XerialMagic))
        {
            var output = new MemoryStream();
            var rest = data[XerialHeaderSize..];
            while (!rest.IsEmpty)
            {
                if (rest.Length < 4)
                    throw new KafkaProtocolException("Corrupt xerial snappy: truncated block length.");
                int len = BinaryPrimitives.ReadInt32BigEndian(rest);
                if (len < 0 || len > rest.Length - 4)
                    throw new KafkaProtocolException($"Corrupt xerial snappy: block length {len} with {rest.Length - 4} bytes left.");
                var block = rest.Slice(4, len);
                int size = Snappy.GetUncompressedLength(block);
                if (size < 0 || output.Length + size > max)
                    throw new KafkaProtocolException($"Decompressed records exceed the limit of {max} bytes.");
                var buffer = new byte[size];
                int written = Snappy.Decompress(block, buffer);
                output.Write(buffer, 0, written);
                rest = rest[(4 + len)..];
            }
            return output.ToArray();
        }
        int total = Snappy.GetUncompressedLength(data);
        if (total < 0 || total > max)
            throw new KafkaProtocolException($"Decompressed records exceed the limit of {max} bytes.");
        var result = new byte[total];
        int n = Snappy.Decompress(data, result);
        return n == total ? result : result[..n];
    }

    private static byte[] CompressXerialSnappy(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream();
        output.Write(XerialMagic);
        Span<byte> int32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(int32, 1);
        output.Write(int32); // version
        output.Write(int32); // compatible version
        var block = new byte[Snappy.GetMaxCompressedLength(XerialBlockSize)];
        for (int offset = 0; offset < data.Length; offset += XerialBlockSize)
        {
            var chunk = data.Slice(offset, Math.Min(XerialBlockSize, data.Length - offset));
            int n = Snappy.Compress(chunk, block);
            BinaryPrimitives.WriteInt32BigEndian(int32, n);
            output.Write(int32);
            output.Write(block, 0, n);
        }
        return output.ToArray();
    }
}
