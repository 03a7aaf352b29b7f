using System.Buffers.Binary;
using ActorBroker.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>One batch found by <see cref="BatchFileScanner"/>.</summary>
/// <param name="Position">Where the batch starts in the file.</param>
/// <param name="Size">Its size in bytes (0 unless <see cref="Check"/> is Valid).</param>
/// <param name="Check">Valid, or why the bytes at <see cref="Position"/> are not a batch.</param>
/// <param name="Bytes">The whole batch (validating scan) or its 61-byte header (header scan); valid until the next call.</param>
internal readonly record struct ScannedBatch(long Position, int Size, BatchCheck Check, ReadOnlyMemory<byte> Bytes)
{
    public RecordBatch Batch => new(Bytes);
}

/// <summary>
/// Walks the batches of a .log file front to back with large positional reads. A validating scan loads every
/// batch whole and runs <see cref="RecordBatch.Check"/> (CRC included); a header scan reads only the 61-byte
/// headers and skips the records. The scan stops being meaningful at the first non-Valid result.
/// Not thread-safe (one scanner per caller); safe to use while other threads read or append to the same file.
/// </summary>
internal sealed class BatchFileScanner
{
    private const int MinBatchSize = RecordBatch.HeaderSize;
    private readonly SafeFileHandle _file;
    private readonly long _end;
    private byte[] _buffer;
    private long _bufferStart;
    private int _bufferLength;
    private long _position;

    public BatchFileScanner(SafeFileHandle file, long start, long end, int bufferSize = 64 * 1024)
    {
        _file = file;
        _position = start;
        _end = end;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Where the next batch would start.</summary>
    public long Position => _position;

    /// <summary>Returns false at the end of the range; otherwise the next batch (or why there is none here).</summary>
    public bool Next(bool validate, out ScannedBatch batch)
    {
        long available = _end - _position;
        if (available <= 0)
        {
            batch = default;
            return false;
        }
        if (available < RecordBatch.LogOverhead)
        {
            batch = new ScannedBatch(_position, 0, BatchCheck.Incomplete, default);
            return true;
        }
        int headerBytes = Load((int)Math.Min(available, RecordBatch.HeaderSize));
        ReadOnlySpan<byte> header = _buffer.AsSpan((int)(_position - _bufferStart), headerBytes);
        int batchLength = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        if (batchLength < MinBatchSize - RecordBatch.LogOverhead)
        {
            batch = new ScannedBatch(_position, 0, BatchCheck.Malformed, default);
            return true;
        }
        long size = (long)RecordBatch.LogOverhead + batchLength;
        if (size > available || headerBytes < RecordBatch.HeaderSize)
        {
            batch = new ScannedBatch(_position, 0, BatchCheck.Incomplete, default);
            return true;
        }
        if (header[16] != RecordBatch.CurrentMagic)
        {
            batch = new ScannedBatch(_position, 0, BatchCheck.UnsupportedMagic, default);
            return true;
        }
        if (!validate)
        {
            if (BinaryPrimitives.ReadInt32BigEndian(header[23..]) < 0 || BinaryPrimitives.ReadInt32BigEndian(header[57..]) < 0)
            {
                batch = new ScannedBatch(_position, 0, BatchCheck.Malformed, default);
                return true;
            }
            batch = new ScannedBatch(_position, (int)size, BatchCheck.Valid,
                _buffer.AsMemory((int)(_position - _bufferStart), RecordBatch.HeaderSize));
            _position += size;
            return true;
        }
        int loaded = Load((int)size);
        if (loaded < size)
        {
            batch = new ScannedBatch(_position, 0, BatchCheck.Incomplete, default);
            return true;
        }
        var bytes = _buffer.AsMemory((int)(_position - _bufferStart), (int)size);
        var check = RecordBatch.Check(bytes.Span, out int checkedSize);
        if (check != BatchCheck.Valid)
        {
            batch = new ScannedBatch(_position, 0, check, default);
            return true;
        }
        batch = new ScannedBatch(_position, checkedSize, check, bytes);
        _position += size;
        return true;
    }

    /// <summary>Makes the buffer hold up to <paramref name="count"/> bytes from the current position; returns how many it holds.</summary>
    private int Load(int count)
    {
        if (_position >= _bufferStart && _position + count <= _bufferStart + _bufferLength)
            return count;
        if (count > _buffer.Length)
            _buffer = new byte[Math.Max(count, _buffer.Length * 2)];
        int want = (int)Math.Min(_buffer.Length, _end - _position);
        int filled = 0;
        while (filled < want)
        {
            int n = RandomAccess.Read(_file, _buffer.AsSpan(filled, want - filled), _position + filled);
            if (n == 0)
                break;
            filled += n;
        }
        _bufferStart = _position;
        _bufferLength = filled;
        return Math.Min(count, filled);
    }
}
