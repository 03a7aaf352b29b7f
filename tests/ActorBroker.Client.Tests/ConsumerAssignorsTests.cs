using ActorBroker.Client.Consuming;
using ActorBroker.Cluster;

namespace ActorBroker.Client.Tests;

public sealed class ConsumerAssignorsTests
{
    private static readonly Dictionary<string, int> Counts = new() { ["a"] = 5, ["b"] = 2 };

    private static List<string> Names(IEnumerable<TopicPartition> partitions) => partitions.Select(p => p.EntityId).ToList();

    [Fact]
    public void Range_gives_each_member_a_consecutive_range_per_topic_with_the_first_members_taking_the_remainder()
    {
        var subscriptions = new Dictionary<string, IReadOnlyList<string>> { ["m2"] = ["a", "b"], ["m1"] = ["a", "b"] };

        var plan = ConsumerAssignors.Range(subscriptions, Counts);

        Assert.Equal(["a-0", "a-1", "a-2", "b-0"], Names(plan["m1"]));
        Assert.Equal(["a-3", "a-4", "b-1"], Names(plan["m2"]));
    }

    [Fact]
    public void Round_robin_deals_all_partitions_in_order_skipping_members_not_subscribed_to_the_topic()
    {
        var subscriptions = new Dictionary<string, IReadOnlyList<string>> { ["m1"] = ["a"], ["m2"] = ["a", "b"] };

        var plan = ConsumerAssignors.RoundRobin(subscriptions, Counts);

        Assert.Equal(["a-0", "a-2", "a-4"], Names(plan["m1"]));
        Assert.Equal(["a-1", "a-3", "b-0", "b-1"], Names(plan["m2"]));
    }

    [Fact]
    public void Every_member_gets_an_entry_and_topics_nobody_subscribes_to_are_left_out()
    {
        var subscriptions = new Dictionary<string, IReadOnlyList<string>> { ["m1"] = ["b"], ["m2"] = ["b"], ["m3"] = ["b"] };

        var plan = ConsumerAssignors.Assign(ConsumerAssignors.RangeName, subscriptions, Counts);

        Assert.Equal(["b-0"], Names(plan["m1"]));
        Assert.Equal(["b-1"], Names(plan["m2"]));
        Assert.Empty(plan["m3"]);
        Assert.Throws<ArgumentException>(() => ConsumerAssignors.Assign("sticky", subscriptions, Counts));
    }
}
