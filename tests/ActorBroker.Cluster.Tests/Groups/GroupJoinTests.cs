using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using static ActorBroker.Cluster.Tests.Groups.GroupDriver;

namespace ActorBroker.Cluster.Tests.Groups;

public class GroupJoinTests
{
    [Fact]
    public void First_join_requiring_a_known_member_id_gets_MEMBER_ID_REQUIRED_and_the_rejoin_with_it_joins()
    {
        var group = new GroupDriver();

        var first = group.Join(group.JoinRequest("a", requireKnownMemberId: true)).Reply;
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("a-", first.MemberId);
        Assert.Equal(GroupPhase.Empty, group.Phase);

        var second = group.Join(group.JoinRequest("a", first.MemberId, requireKnownMemberId: true)).Reply;
        Assert.Equal(ErrorCode.None, second.Error);
        Assert.Equal(first.MemberId, second.MemberId);
        Assert.Equal(1, second.GenerationId);
    }

    [Fact]
    public void Join_without_requiring_a_known_member_id_joins_directly()
    {
        var group = new GroupDriver();

        var reply = group.Join("a").Reply;

        Assert.Equal(ErrorCode.None, reply.Error);
        Assert.StartsWith("a-", reply.MemberId);
    }

    [Fact]
    public void A_pending_member_id_that_is_never_used_expires_after_the_session_timeout()
    {
        var group = new GroupDriver();
        var pending = group.Join(group.JoinRequest("a", requireKnownMemberId: true)).Reply.MemberId;

        group.TickAfter(SessionTimeout);

        Assert.Equal(ErrorCode.UnknownMemberId, group.Join(group.JoinRequest("a", pending, requireKnownMemberId: true)).Reply.Error);
    }

    [Fact]
    public void Single_member_join_completes_generation_1_with_it_as_leader_and_its_metadata_in_the_member_list()
    {
        var group = new GroupDriver();

        var reply = group.Join("a", protocols: Protocols("range")).Reply;

        Assert.Equal(ErrorCode.None, reply.Error);
        Assert.Equal(1, reply.GenerationId);
        Assert.Equal(reply.MemberId, reply.LeaderId);
        Assert.Equal("consumer", reply.ProtocolType);
        Assert.Equal("range", reply.ProtocolName);
        var member = Assert.Single(reply.Members);
        Assert.Equal(reply.MemberId, member.MemberId);
        Assert.Equal("meta-range"u8.ToArray(), member.Metadata);
        Assert.Equal(GroupPhase.CompletingRebalance, group.Phase);
        Assert.Empty(group.Persisted);
    }

    [Fact]
    public void Two_members_first_join_is_parked_until_the_second_joins_and_only_the_leader_gets_the_member_list()
    {
        var group = new GroupDriver();

        string a = group.Join(group.JoinRequest("a", requireKnownMemberId: true)).Reply.MemberId;
        string b = group.Join(group.JoinRequest("b", requireKnownMemberId: true)).Reply.MemberId;

        var joinA = group.Join("a", a);
        Assert.True(joinA.IsParked); // b is known (pending) but has not joined yet
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);

        var joinB = group.Join("b", b);

        Assert.False(joinA.IsParked);
        Assert.False(joinB.IsParked);
        Assert.Equal(GroupPhase.CompletingRebalance, group.Phase);
        Assert.Equal(1, joinA.Reply.GenerationId);
        Assert.Equal(1, joinB.Reply.GenerationId);
        string leader = joinA.Reply.LeaderId;
        Assert.Equal(leader, joinB.Reply.LeaderId);
        Assert.Contains(leader, new[] { a, b });
        var leaderReply = leader == a ? joinA.Reply : joinB.Reply;
        var followerReply = leader == a ? joinB.Reply : joinA.Reply;
        Assert.Equal(new[] { a, b }.Order(), leaderReply.Members.Select(m => m.MemberId).Order());
        Assert.Empty(followerReply.Members);
    }

    [Fact]
    public void Generation_increments_on_each_rebalance()
    {
        var group = new GroupDriver();
        var (members, leader, generation) = group.FormStableGroup("a", "b");
        Assert.Equal(1, generation);

        // The leader rejoining a Stable group forces a rebalance (so it can react to metadata changes).
        var leaderJoin = group.Join("x", leader);
        Assert.True(leaderJoin.IsParked);
        var follower = members.Single(m => m != leader);
        var followerJoin = group.Join("x", follower);

        Assert.Equal(2, leaderJoin.Reply.GenerationId);
        Assert.Equal(2, followerJoin.Reply.GenerationId);
        Assert.Equal(2, group.SyncAll(members, leaderJoin.Reply.LeaderId, 2));
        Assert.Equal(2, group.State.GenerationId);
    }

    [Fact]
    public void A_follower_rejoining_a_Stable_group_with_the_same_metadata_gets_the_current_generation_without_a_rebalance()
    {
        var group = new GroupDriver();
        var (members, leader, _) = group.FormStableGroup("a", "b");
        var follower = members.Single(m => m != leader);

        var reply = group.Join("b", follower).Reply;

        Assert.Equal(ErrorCode.None, reply.Error);
        Assert.Equal(1, reply.GenerationId);
        Assert.Empty(reply.Members);
        Assert.Equal(GroupPhase.Stable, group.Phase);
    }

    [Fact]
    public void A_member_rejoining_during_CompletingRebalance_with_the_same_metadata_gets_the_current_generation_again()
    {
        var group = new GroupDriver();
        var a = group.Join("a").Reply;

        var again = group.Join("a", a.MemberId).Reply;

        Assert.Equal(ErrorCode.None, again.Error);
        Assert.Equal(1, again.GenerationId);
        Assert.Single(again.Members);
        Assert.Equal(GroupPhase.CompletingRebalance, group.Phase);
    }

    [Fact]
    public void A_third_member_joining_a_Stable_group_starts_a_rebalance_that_the_others_learn_of_by_heartbeat()
    {
        var group = new GroupDriver();
        var (members, leader, generation) = group.FormStableGroup("a", "b");

        var (c, joinC) = group.JoinNew("c");

        Assert.True(joinC.IsParked);
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);
        Assert.All(members, m => Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(m, generation)));

        var rejoins = members.Select(m => group.Join("x", m)).ToList();

        Assert.All(rejoins.Append(joinC), j => Assert.Equal(2, j.Reply.GenerationId));
        Assert.Equal(leader, joinC.Reply.LeaderId);
        Assert.Equal(3, rejoins[members.IndexOf(leader)].Reply.Members.Count);
        group.SyncAll([.. members, c], leader, 2);
        Assert.Equal(3, group.State.Members.Count);
    }

    [Fact]
    public void A_member_that_does_not_rejoin_before_the_rebalance_timeout_is_dropped_from_the_new_generation()
    {
        var group = new GroupDriver();
        var (members, leader, generation) = group.FormStableGroup("a", "b");
        var follower = members.Single(m => m != leader);

        var (c, joinC) = group.JoinNew("c");
        var leaderJoin = group.Join("a", leader);
        // The follower keeps heartbeating (so its session stays alive) but never rejoins.
        for (int i = 0; i < RebalanceTimeout / 5_000 - 1; i++)
        {
            group.TickAfter(5_000);
            Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(follower, generation));
        }
        group.TickAfter(4_999);
        Assert.True(leaderJoin.IsParked);

        group.TickAfter(1);

        Assert.Equal(2, leaderJoin.Reply.GenerationId);
        Assert.Equal(new[] { leader, c }.Order(), leaderJoin.Reply.Members.Select(m => m.MemberId).Order());
        Assert.Equal(2, joinC.Reply.GenerationId);
        Assert.False(group.State.Members.ContainsKey(follower));
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat(follower, generation));
    }

    [Fact]
    public void When_no_member_rejoins_before_the_rebalance_timeout_the_group_becomes_Empty()
    {
        var group = new GroupDriver();
        var a = group.Join("a").Reply;
        group.Sync(a.MemberId, 1, [new MemberAssignment(a.MemberId, [1])]);
        var (b, joinB) = group.JoinNew("b");
        group.Leave(b); // b leaves while parked: the barrier now waits for a only
        Assert.Equal(ErrorCode.UnknownMemberId, joinB.Reply.Error);
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);

        for (int i = 0; i < RebalanceTimeout / 5_000 - 1; i++)
        {
            group.TickAfter(5_000);
            Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(a.MemberId, 1));
        }
        group.TickAfter(5_000);

        Assert.Equal(GroupPhase.Empty, group.Phase);
        Assert.Empty(group.State.Members);
        Assert.Equal(new GroupEmptied(2), group.Persisted.Last());
    }

    [Fact]
    public void Join_to_an_empty_group_completes_only_after_the_initial_rebalance_delay()
    {
        var group = new GroupDriver(GroupSettings.Default with { InitialRebalanceDelayMs = 3_000 });

        var (a, joinA) = group.JoinNew("a");
        group.TickAfter(1_000);
        var (b, joinB) = group.JoinNew("b");
        group.TickAfter(1_999);

        Assert.True(joinA.IsParked);
        Assert.True(joinB.IsParked);

        group.TickAfter(1);

        Assert.Equal(1, joinA.Reply.GenerationId);
        Assert.Equal(1, joinB.Reply.GenerationId);
        Assert.Equal(2, (joinA.Reply.LeaderId == a ? joinA : joinB).Reply.Members.Count);
    }

    [Fact]
    public void The_initial_rebalance_delay_does_not_apply_to_a_rebalance_of_a_non_empty_group()
    {
        var group = new GroupDriver(GroupSettings.Default with { InitialRebalanceDelayMs = 3_000 });
        var joinA = group.JoinNew("a");
        group.TickAfter(3_000);
        group.SyncAll([joinA.MemberId], joinA.MemberId, 1);

        var rejoin = group.Join("a", joinA.MemberId);

        Assert.Equal(2, rejoin.Reply.GenerationId);
    }

    // ---- errors ----

    [Theory]
    [InlineData(5_999)]
    [InlineData(1_800_001)]
    public void Join_with_a_session_timeout_out_of_range_gets_INVALID_SESSION_TIMEOUT(int sessionTimeoutMs)
    {
        var group = new GroupDriver();

        Assert.Equal(ErrorCode.InvalidSessionTimeout, group.Join("a", sessionTimeoutMs: sessionTimeoutMs).Reply.Error);
        Assert.False(group.State.Exists);
    }

    [Fact]
    public void Join_with_an_empty_protocol_type_or_no_protocols_gets_INCONSISTENT_GROUP_PROTOCOL()
    {
        var group = new GroupDriver();

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, group.Join("a", protocolType: "").Reply.Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, group.Join("a", protocols: []).Reply.Error);
        Assert.False(group.State.Exists);
    }

    [Fact]
    public void Join_with_a_protocol_type_other_than_the_groups_gets_INCONSISTENT_GROUP_PROTOCOL()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, group.Join("b", protocolType: "connect").Reply.Error);
    }

    [Fact]
    public void Join_with_no_protocol_in_common_with_the_members_gets_INCONSISTENT_GROUP_PROTOCOL()
    {
        var group = new GroupDriver();
        group.FormStableGroup(group.JoinRequest("a", protocols: Protocols("range", "roundrobin")));

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, group.Join("b", protocols: Protocols("sticky")).Reply.Error);
        Assert.Equal(GroupPhase.Stable, group.Phase);
    }

    [Fact]
    public void Join_with_an_unknown_member_id_gets_UNKNOWN_MEMBER_ID()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");

        var reply = group.Join("b", "b-not-a-member").Reply;

        Assert.Equal(ErrorCode.UnknownMemberId, reply.Error);
        Assert.Equal(GroupPhase.Stable, group.Phase);
    }

    [Fact]
    public void After_the_group_emptied_a_member_of_another_protocol_type_may_start_it_again()
    {
        var group = new GroupDriver();
        var (members, _, _) = group.FormStableGroup("a");
        group.Leave(members[0]);

        Assert.Equal(GroupPhase.Empty, group.Phase);

        // The first member to join sets the group's protocol type, so its peers agree with it.
        var (_, calls) = group.JoinTogether(
            group.JoinRequest("connect-1", protocolType: "connect", protocols: Protocols("v1")),
            group.JoinRequest("connect-2", protocolType: "connect", protocols: Protocols("v1")));

        Assert.All(calls, c => Assert.Equal(ErrorCode.None, c.Reply.Error));
        Assert.All(calls, c => Assert.Equal("connect", c.Reply.ProtocolType));
        Assert.Equal(2, calls[0].Reply.GenerationId);
    }

    // ---- protocol selection ----

    [Theory]
    [InlineData(new[] { "range,roundrobin", "roundrobin,range", "roundrobin" }, "roundrobin")]
    [InlineData(new[] { "range,roundrobin", "range,roundrobin", "roundrobin,range" }, "range")]
    [InlineData(new[] { "sticky,range", "range" }, "range")]
    [InlineData(new[] { "cooperative-sticky,range", "cooperative-sticky,range" }, "cooperative-sticky")]
    [InlineData(new[] { "cooperative-sticky,range", "range,cooperative-sticky", "cooperative-sticky" }, "cooperative-sticky")]
    public void The_protocol_is_the_common_one_most_members_prefer(string[] memberProtocols, string expected)
    {
        var group = new GroupDriver();

        var (_, joins) = group.JoinTogether(memberProtocols.Select((p, i) => group.JoinRequest($"m{i}", protocols: Protocols(p.Split(',')))).ToArray());

        Assert.All(joins, j => Assert.Equal(expected, j.Reply.ProtocolName));
        var leader = joins.Single(j => j.Reply.Members.Count > 0).Reply;
        Assert.All(leader.Members, m => Assert.Equal(System.Text.Encoding.UTF8.GetBytes("meta-" + expected), m.Metadata));
    }

    [Fact]
    public void The_first_member_to_join_an_empty_group_leads_its_first_generation()
    {
        var group = new GroupDriver();

        var (members, _) = group.JoinTogether(group.JoinRequest("zulu"), group.JoinRequest("alpha"));

        Assert.StartsWith("zulu-", members[0]);
        Assert.Equal(members[0], group.State.LeaderId);
    }

    // ---- static membership ----

    [Fact]
    public void A_restarted_static_member_with_the_same_subscription_keeps_its_assignment_without_a_rebalance()
    {
        var group = new GroupDriver();
        var (members, leader, generation) = group.FormStableGroup(group.JoinRequest("a", instanceId: "instance-a"), group.JoinRequest("b"));
        string old = members[0];
        var assignment = group.State.Members[old].Assignment;

        var (replacement, join) = group.JoinNew("a", instanceId: "instance-a");

        Assert.NotEqual(old, replacement);
        Assert.False(join.IsParked);
        Assert.Equal((ErrorCode.None, generation, replacement), (join.Reply.Error, join.Reply.GenerationId, join.Reply.MemberId));
        Assert.Equal(GroupPhase.Stable, group.State.Phase);
        Assert.False(group.State.Members.ContainsKey(old));
        Assert.Equal(assignment, group.State.Members[replacement].Assignment);
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat(old, generation));
        Assert.Equal(ErrorCode.None, group.Heartbeat(members[1], generation));
        if (leader == old)
            Assert.Equal(replacement, group.State.LeaderId);
        var persisted = Assert.IsType<GenerationCompleted>(group.Persisted.Last());
        Assert.Contains(persisted.Members, m => m.MemberId == replacement && m.GroupInstanceId == "instance-a");
    }

    [Fact]
    public void A_restarted_static_member_with_a_new_subscription_takes_over_its_identity_and_rebalances()
    {
        var group = new GroupDriver();
        var (members, leader, generation) = group.FormStableGroup(group.JoinRequest("a", instanceId: "instance-a"), group.JoinRequest("b"));
        string old = members[0];

        var (replacement, join) = group.JoinNew("a", instanceId: "instance-a", protocols: Protocols("range", "roundrobin"));

        Assert.False(group.State.Members.ContainsKey(old));
        Assert.Equal("instance-a", group.State.Members[replacement].GroupInstanceId);
        if (leader == old)
            Assert.Equal(replacement, group.State.LeaderId);
        Assert.True(join.IsParked);
        var rejoin = group.Join("b", members[1]);
        Assert.Equal(ErrorCode.None, join.Reply.Error);
        Assert.Equal(replacement, join.Reply.MemberId);
        Assert.Equal(generation + 1, rejoin.Reply.GenerationId);
        group.SyncAll([replacement, members[1]], join.Reply.LeaderId, generation + 1);
    }

    [Fact]
    public void A_request_with_the_right_instance_id_but_a_stale_member_id_is_FENCED_INSTANCE_ID()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup(group.JoinRequest("a", instanceId: "instance-a"));
        string old = members[0];
        var (replacement, join) = group.JoinNew("a", instanceId: "instance-a");
        Assert.Equal(ErrorCode.None, join.Reply.Error);

        Assert.Equal(ErrorCode.FencedInstanceId, group.Heartbeat(old, generation, "instance-a"));
        Assert.Equal(ErrorCode.FencedInstanceId, group.Sync(old, join.Reply.GenerationId, instanceId: "instance-a").Reply.Error);
        Assert.Equal(ErrorCode.FencedInstanceId, group.Join("a", old, instanceId: "instance-a").Reply.Error);
        Assert.Equal(ErrorCode.FencedInstanceId, group.Leave([new LeavingMember(old, "instance-a")]).Members.Single().Error);
        Assert.True(group.State.Members.ContainsKey(replacement));
    }

    [Fact]
    public void A_static_member_taking_over_answers_the_old_members_parked_join_with_FENCED_INSTANCE_ID()
    {
        var group = new GroupDriver();
        var (members, _, _) = group.FormStableGroup(group.JoinRequest("a", instanceId: "instance-a"), group.JoinRequest("b"));
        var (c, joinC) = group.JoinNew("c");
        var oldJoin = group.Join("a", members[0], instanceId: "instance-a");
        Assert.True(oldJoin.IsParked);

        var (_, newJoin) = group.JoinNew("a", instanceId: "instance-a");

        Assert.Equal(ErrorCode.FencedInstanceId, oldJoin.Reply.Error);
        group.Join("b", members[1]);
        Assert.Equal(ErrorCode.None, newJoin.Reply.Error);
        Assert.Equal(ErrorCode.None, joinC.Reply.Error);
        Assert.Empty(group.ParkedMembers);
    }
}
