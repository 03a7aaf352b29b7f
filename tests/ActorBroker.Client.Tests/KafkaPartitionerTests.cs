using System.Text;
using ActorBroker.Client.Producing;

namespace ActorBroker.Client.Tests;

public sealed class KafkaPartitionerTests
{
    // The vectors of Kafka's own UtilsTest.testMurmur2.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_the_values_of_Kafkas_own_test(string key, int expected) =>
        Assert.Equal(expected, KafkaPartitioner.Murmur2(Encoding.ASCII.GetBytes(key)));

    [Fact]
    public void A_keyed_record_goes_to_the_positive_hash_modulo_the_partition_count()
    {
        byte[] key = Encoding.ASCII.GetBytes("foobar"); // murmur2 = -790332482
        Assert.Equal((-790332482 & 0x7fffffff) % 7, KafkaPartitioner.Partition(key, 7));
        Assert.Equal(0, KafkaPartitioner.Partition(key, 1));
    }

    [Fact]
    public void Keyless_records_stick_to_one_partition_until_its_batch_is_sent_then_move_to_another()
    {
        var sticky = new StickyPartitioner();
        int first = sticky.Partition("t", 5);
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(first, sticky.Partition("t", 5)));

        sticky.OnBatchSent("t", (first + 1) % 5, 5); // another partition's batch: no move
        Assert.Equal(first, sticky.Partition("t", 5));
        sticky.OnBatchSent("t", first, 5);
        int second = sticky.Partition("t", 5);

        Assert.NotEqual(first, second);
        Assert.InRange(second, 0, 4);
    }

    [Fact]
    public void A_single_partition_topic_keeps_every_keyless_record_on_partition_zero()
    {
        var sticky = new StickyPartitioner();
        Assert.Equal(0, sticky.Partition("one", 1));
        sticky.OnBatchSent("one", 0, 1);
        Assert.Equal(0, sticky.Partition("one", 1));
    }
}
