using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using static ActorBroker.Cluster.Tests.Groups.GroupDriver;

namespace ActorBroker.Cluster.Tests.Groups;

public class GroupOffsetTests
{
    private static readonly TopicPartition Orders0 = new("orders", 0);
    private static readonly TopicPartition Orders1 = new("orders", 1);
    private static readonly TopicPartition Audit0 = new("audit", 0);

    [Fact]
    public void A_Stable_member_commit_persists_OffsetsCommitted_and_fetch_returns_offset_metadata_and_leader_epoch()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");

        var result = group.Commit(members[0], generation, Offset("orders", 0, 42, "checkpoint", leaderEpoch: 7));

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal([(Orders0, ErrorCode.None)], result.Partitions);
        var committed = Assert.IsType<OffsetsCommitted>(Assert.Single(group.Last.Events));
        Assert.Equal(Orders0, Assert.Single(committed.Offsets).Partition);
        var fetched = Assert.Single(group.Fetch(Orders0).Offsets);
        Assert.Equal(Orders0, fetched.Partition);
        Assert.Equal(new CommittedOffset(42, 7, "checkpoint", group.Now), fetched.Offset);
    }

    [Fact]
    public void A_commit_during_PreparingRebalance_with_the_current_generation_is_accepted()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");
        group.JoinNew("b");

        Assert.Equal(ErrorCode.None, group.Commit(members[0], generation, Offset("orders", 0, 1)).Partitions.Single().Error);
    }

    [Fact]
    public void A_simple_commit_without_member_and_generation_is_accepted_by_an_Empty_group()
    {
        var group = new GroupDriver();

        var result = group.Commit("", -1, Offset("orders", 0, 5), Offset("orders", 1, 6));

        Assert.All(result.Partitions, p => Assert.Equal(ErrorCode.None, p.Error));
        Assert.True(group.State.Exists);
        Assert.Equal(GroupPhase.Empty, group.Phase);
        Assert.Equal(6, group.Fetch(Orders1).Offsets.Single().Offset!.Offset);
    }

    [Fact]
    public void A_simple_commit_to_a_group_with_members_is_UNKNOWN_MEMBER_ID()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");

        var result = group.Commit("", -1, Offset("orders", 0, 5));

        Assert.Equal([(Orders0, ErrorCode.UnknownMemberId)], result.Partitions);
        Assert.Empty(group.Last.Events);
    }

    [Fact]
    public void A_commit_with_a_generation_to_a_group_that_does_not_exist_is_ILLEGAL_GENERATION()
    {
        var group = new GroupDriver();

        Assert.Equal(ErrorCode.IllegalGeneration, group.Commit("old-member", 3, Offset("orders", 0, 5)).Partitions.Single().Error);
        Assert.False(group.State.Exists);
    }

    [Fact]
    public void A_commit_by_a_member_no_longer_in_the_group_is_UNKNOWN_MEMBER_ID()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");
        group.Leave(members[0]);

        Assert.Equal(ErrorCode.UnknownMemberId, group.Commit(members[0], generation, Offset("orders", 0, 5)).Partitions.Single().Error);
    }

    [Fact]
    public void A_commit_with_a_wrong_generation_is_ILLEGAL_GENERATION()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");

        var result = group.Commit(members[0], generation + 1, Offset("orders", 0, 5), Offset("orders", 1, 5));

        Assert.All(result.Partitions, p => Assert.Equal(ErrorCode.IllegalGeneration, p.Error));
        Assert.Empty(group.Last.Events);
    }

    [Fact]
    public void A_commit_during_CompletingRebalance_is_REBALANCE_IN_PROGRESS()
    {
        var group = new GroupDriver();
        var join = group.Join("a").Reply;

        var result = group.Commit(join.MemberId, join.GenerationId, Offset("orders", 0, 5));

        Assert.Equal([(Orders0, ErrorCode.RebalanceInProgress)], result.Partitions);
    }

    [Fact]
    public void Metadata_longer_than_the_maximum_fails_only_that_partition_with_OFFSET_METADATA_TOO_LARGE()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");
        string tooLong = new('x', group.Settings.MaxMetadataBytes + 1);
        string longest = new('x', group.Settings.MaxMetadataBytes);

        var result = group.Commit(members[0], generation, Offset("orders", 0, 5, tooLong), Offset("orders", 1, 6, longest));

        Assert.Equal([(Orders0, ErrorCode.OffsetMetadataTooLarge), (Orders1, ErrorCode.None)], result.Partitions);
        Assert.Null(group.Fetch(Orders0).Offsets.Single().Offset);
        Assert.Equal(longest, group.Fetch(Orders1).Offsets.Single().Offset!.Metadata);
    }

    [Fact]
    public void Fetch_without_partitions_returns_every_committed_offset_and_an_unknown_partition_has_none()
    {
        var group = new GroupDriver();
        group.Commit("", -1, Offset("orders", 1, 11), Offset("audit", 0, 1), Offset("orders", 0, 10));

        var all = group.Fetch(null).Offsets;

        Assert.Equal([Audit0, Orders0, Orders1], all.Select(o => o.Partition));
        Assert.Equal([1L, 10L, 11L], all.Select(o => o.Offset!.Offset));
        var unknown = Assert.Single(group.Fetch(new TopicPartition("orders", 9)).Offsets);
        Assert.Null(unknown.Offset);
        Assert.Empty(new GroupDriver().Fetch(null).Offsets);
    }

    [Fact]
    public void A_later_commit_replaces_the_earlier_offset()
    {
        var group = new GroupDriver();
        group.Commit("", -1, Offset("orders", 0, 10));
        group.Advance(1_000);
        group.Commit("", -1, Offset("orders", 0, 20, "again"));

        Assert.Equal(new CommittedOffset(20, 3, "again", group.Now), group.Fetch(Orders0).Offsets.Single().Offset);
    }

    // ---- retention ----

    [Fact]
    public void Offsets_of_an_Empty_group_older_than_the_retention_are_deleted_on_tick()
    {
        var group = new GroupDriver();
        long retention = (long)group.Settings.OffsetsRetention.TotalMilliseconds;
        group.Commit("", -1, Offset("orders", 0, 10));
        group.Advance(1_000);
        group.Commit("", -1, Offset("orders", 1, 11));

        group.TickAfter(retention - 1_000 - 1);
        Assert.Empty(group.Last.Events);
        var tick = group.TickAfter(1);

        Assert.Equal([Orders0], Assert.IsType<OffsetsDeleted>(Assert.Single(tick.Events)).Partitions);
        Assert.Null(group.Fetch(Orders0).Offsets.Single().Offset);
        Assert.NotNull(group.Fetch(Orders1).Offsets.Single().Offset);
    }

    [Fact]
    public void Offsets_are_not_expired_while_the_group_has_members_and_the_retention_counts_from_when_it_emptied()
    {
        var group = new GroupDriver(GroupSettings.Default with { InitialRebalanceDelayMs = 0, OffsetsRetention = TimeSpan.FromMinutes(1) });
        var (members, _, generation) = group.FormStableGroup("a");
        group.Commit(members[0], generation, Offset("orders", 0, 10));

        for (int i = 0; i < 12; i++)
        {
            group.TickAfter(SessionTimeout / 2);
            Assert.Equal(ErrorCode.None, group.Heartbeat(members[0], generation));
        }
        Assert.NotNull(group.Fetch(Orders0).Offsets.Single().Offset);

        group.Leave(members[0]);
        group.TickAfter(59_999);
        Assert.NotNull(group.Fetch(Orders0).Offsets.Single().Offset);
        var tick = group.TickAfter(1);
        Assert.Equal([Orders0], Assert.IsType<OffsetsDeleted>(Assert.Single(tick.Events)).Partitions);
        Assert.Null(group.Fetch(Orders0).Offsets.Single().Offset);
    }

    // ---- DeleteGroup ----

    [Fact]
    public void Deleting_a_group_with_members_is_NON_EMPTY_GROUP()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");

        Assert.Equal(ErrorCode.NonEmptyGroup, group.DeleteGroup());
        Assert.Equal(ErrorCode.NonEmptyGroup, WithRebalanceInProgress().DeleteGroup());
        Assert.Equal(GroupPhase.Stable, group.Phase);

        static GroupDriver WithRebalanceInProgress()
        {
            var g = new GroupDriver();
            g.FormStableGroup("a");
            g.JoinNew("b");
            return g;
        }
    }

    [Fact]
    public void Deleting_an_unknown_group_is_GROUP_ID_NOT_FOUND()
    {
        Assert.Equal(ErrorCode.GroupIdNotFound, new GroupDriver().DeleteGroup());
    }

    [Fact]
    public void Deleting_an_Empty_group_drops_its_offsets_and_a_new_join_afterwards_works()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");
        group.Commit(members[0], generation, Offset("orders", 0, 10));
        group.Leave(members[0]);

        Assert.Equal(ErrorCode.None, group.DeleteGroup());

        Assert.Equal(new GroupDeleted("group"), Assert.Single(group.Last.Events));
        Assert.Empty(group.Fetch(null).Offsets);
        Assert.Equal("Dead", group.Describe().State);
        Assert.Equal(ErrorCode.GroupIdNotFound, group.DeleteGroup());

        var join = group.Join("b").Reply;
        Assert.Equal(ErrorCode.None, join.Error);
        Assert.Equal(ErrorCode.None, group.Sync(join.MemberId, join.GenerationId, [new MemberAssignment(join.MemberId, [1])]).Reply.Error);
        Assert.Equal(GroupPhase.Stable, group.Phase);
    }

    // ---- DeleteOffsets ----

    [Fact]
    public void Deleting_offsets_of_a_topic_a_member_subscribes_to_is_GROUP_SUBSCRIBED_TO_TOPIC_and_other_topics_are_deleted()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup(
            group.JoinRequest("a", protocols: [new MemberProtocol("range", Subscription("orders", "payments"))]));
        group.Commit(members[0], generation, Offset("orders", 0, 1), Offset("audit", 0, 2));

        var result = group.DeleteOffsets(Orders0, Audit0);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal([(Orders0, ErrorCode.GroupSubscribedToTopic), (Audit0, ErrorCode.None)], result.Partitions);
        Assert.Equal([Audit0], Assert.IsType<OffsetsDeleted>(Assert.Single(group.Last.Events)).Partitions);
        Assert.Equal([Orders0], group.Fetch(null).Offsets.Select(o => o.Partition));
    }

    [Fact]
    public void Deleting_offsets_of_an_Empty_group_deletes_any_topic()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup(
            group.JoinRequest("a", protocols: [new MemberProtocol("range", Subscription("orders"))]));
        group.Commit(members[0], generation, Offset("orders", 0, 1));
        group.Leave(members[0]);

        var result = group.DeleteOffsets(Orders0);

        Assert.Equal([(Orders0, ErrorCode.None)], result.Partitions);
        Assert.Empty(group.Fetch(null).Offsets);
    }

    [Fact]
    public void Deleting_offsets_of_a_non_consumer_group_with_members_is_NON_EMPTY_GROUP()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup(group.JoinRequest("a", protocolType: "connect"));
        group.Commit(members[0], generation, Offset("orders", 0, 1));

        Assert.Equal(ErrorCode.NonEmptyGroup, group.DeleteOffsets(Orders0).Error);
        Assert.Single(group.Fetch(null).Offsets);
    }

    [Fact]
    public void Deleting_offsets_of_an_unknown_group_is_GROUP_ID_NOT_FOUND()
    {
        Assert.Equal(ErrorCode.GroupIdNotFound, new GroupDriver().DeleteOffsets(Orders0).Error);
    }

    [Fact]
    public void The_consumer_subscription_reader_reads_topics_and_yields_none_for_malformed_metadata()
    {
        Assert.Equal(["orders", "payments"], ConsumerSubscription.Topics(Subscription("orders", "payments")));
        Assert.Empty(ConsumerSubscription.Topics([0, 0, 0, 0, 0, 5, 0, 3, (byte)'a']));
        Assert.Empty(ConsumerSubscription.Topics([1, 2]));
    }
}
