using ActorBroker.Protocol.Records;
using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Storage.Tests.Cleaning;

public sealed class KeylessRecordsTests
{
    [Fact]
    public void Batches_whose_records_all_have_keys_pass()
    {
        var batches = BatchBuilder.Concat(KeyedLog.Batch(1, ("a", "1"), ("b", null)), KeyedLog.Batch(1, CompressionType.Gzip, ("c", "3")));

        Assert.Null(KeylessRecords.Find(batches));
    }

    [Fact]
    public void A_keyless_record_in_any_batch_is_named()
    {
        var batches = BatchBuilder.Concat(KeyedLog.Batch(1, ("a", "1")), KeyedLog.Batch(1, CompressionType.Lz4, ("b", "2"), (null, "3")));

        Assert.Equal("record 1 (offset delta 1) of batch 1", KeylessRecords.Find(batches));
    }
}
