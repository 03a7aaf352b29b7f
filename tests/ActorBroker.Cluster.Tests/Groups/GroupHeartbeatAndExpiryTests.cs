using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using static ActorBroker.Cluster.Tests.Groups.GroupDriver;

namespace ActorBroker.Cluster.Tests.Groups;

public class GroupHeartbeatAndExpiryTests
{
    [Fact]
    public void Heartbeat_of_a_Stable_member_is_NONE()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");

        Assert.Equal(ErrorCode.None, group.Heartbeat(members[0], generation));
    }

    [Fact]
    public void Heartbeat_during_CompletingRebalance_is_NONE()
    {
        var group = new GroupDriver();
        var join = group.Join("a").Reply;

        Assert.Equal(ErrorCode.None, group.Heartbeat(join.MemberId, join.GenerationId));
    }

    [Fact]
    public void Heartbeat_of_an_unknown_member_is_UNKNOWN_MEMBER_ID()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");

        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat("nobody", 1));
        Assert.Equal(ErrorCode.UnknownMemberId, new GroupDriver().Heartbeat("nobody", 0));
    }

    [Fact]
    public void Heartbeat_with_a_wrong_generation_is_ILLEGAL_GENERATION()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");

        Assert.Equal(ErrorCode.IllegalGeneration, group.Heartbeat(members[0], generation - 1));
        Assert.Equal(ErrorCode.IllegalGeneration, group.Heartbeat(members[0], generation + 1));
    }

    [Fact]
    public void Heartbeat_during_PreparingRebalance_is_REBALANCE_IN_PROGRESS()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");
        group.JoinNew("b");

        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(members[0], generation));
    }

    [Fact]
    public void Heartbeats_keep_a_Stable_member_alive_past_its_session_timeout()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");

        for (int i = 0; i < 5; i++)
        {
            group.TickAfter(SessionTimeout - 1);
            Assert.Equal(ErrorCode.None, group.Heartbeat(members[0], generation));
        }

        Assert.Equal(GroupPhase.Stable, group.Phase);
    }

    [Fact]
    public void A_Stable_member_without_heartbeats_for_its_session_timeout_is_removed_and_the_rest_rebalance()
    {
        var group = new GroupDriver();
        var (members, leader, generation) = group.FormStableGroup("a", "b");
        string follower = members.Single(m => m != leader);

        group.TickAfter(SessionTimeout / 2);
        Assert.Equal(ErrorCode.None, group.Heartbeat(leader, generation));
        group.TickAfter(SessionTimeout / 2 - 1);
        Assert.Equal(GroupPhase.Stable, group.Phase);

        group.TickAfter(1);

        Assert.False(group.State.Members.ContainsKey(follower));
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(leader, generation));
        var rejoin = group.Join("a", leader).Reply;
        Assert.Equal(generation + 1, rejoin.GenerationId);
        Assert.Equal(leader, Assert.Single(rejoin.Members).MemberId);
    }

    [Fact]
    public void The_last_Stable_member_expiring_empties_the_group_with_a_GroupEmptied_event()
    {
        var group = new GroupDriver();
        var (_, _, generation) = group.FormStableGroup("a");

        group.TickAfter(SessionTimeout);

        Assert.Equal(GroupPhase.Empty, group.Phase);
        Assert.Empty(group.State.Members);
        Assert.Equal(new GroupEmptied(generation), Assert.Single(group.Last.Events));
        Assert.Equal("Empty", group.Describe().State);
    }

    // ---- LeaveGroup ----

    [Fact]
    public void A_member_leaving_a_Stable_group_makes_the_rest_rebalance()
    {
        var group = new GroupDriver();
        var (members, leader, generation) = group.FormStableGroup("a", "b");
        string follower = members.Single(m => m != leader);

        var result = group.Leave(leader);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(ErrorCode.None, Assert.Single(result.Members).Error);
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(follower, generation));
        var rejoin = group.Join("b", follower).Reply;
        Assert.Equal(follower, rejoin.LeaderId);
        Assert.Equal(generation + 1, rejoin.GenerationId);
    }

    [Fact]
    public void The_last_member_leaving_empties_the_group_with_a_GroupEmptied_event()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");

        group.Leave(members[0]);

        Assert.Equal(GroupPhase.Empty, group.Phase);
        Assert.Equal(new GroupEmptied(generation), Assert.Single(group.Last.Events));
    }

    [Fact]
    public void A_batch_leave_answers_each_member_and_an_unknown_one_with_UNKNOWN_MEMBER_ID()
    {
        var group = new GroupDriver();
        var (members, _, _) = group.FormStableGroup("a", "b", "c");

        var result = group.Leave(members[0], "nobody", members[2]);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(
            [(members[0], ErrorCode.None), ("nobody", ErrorCode.UnknownMemberId), (members[2], ErrorCode.None)],
            result.Members.Select(m => (m.Member.MemberId, m.Error)));
        Assert.Equal([members[1]], group.State.Members.Keys);
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);
    }

    [Fact]
    public void A_single_unknown_member_leaving_gets_UNKNOWN_MEMBER_ID()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");

        Assert.Equal(ErrorCode.UnknownMemberId, group.Leave("nobody").Error);
        Assert.Equal(GroupPhase.Stable, group.Phase);
    }

    [Fact]
    public void A_static_member_can_be_removed_by_instance_id_alone()
    {
        var group = new GroupDriver();
        group.FormStableGroup(group.JoinRequest("a", instanceId: "instance-a"));

        var result = group.Leave([new LeavingMember("", "instance-a")]);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(GroupPhase.Empty, group.Phase);
    }

    [Fact]
    public void A_member_leaving_with_a_parked_join_gets_UNKNOWN_MEMBER_ID_on_it_and_the_barrier_completes_without_it()
    {
        var group = new GroupDriver();
        var (members, leader, _) = group.FormStableGroup("a", "b");
        string follower = members.Single(m => m != leader);
        var (c, joinC) = group.JoinNew("c");
        var leaderJoin = group.Join("a", leader);

        group.Leave(c);

        Assert.Equal(ErrorCode.UnknownMemberId, joinC.Reply.Error);
        Assert.True(leaderJoin.IsParked);
        group.Join("b", follower);
        Assert.Equal(2, leaderJoin.Reply.Members.Count);
    }

    [Fact]
    public void A_member_leaving_with_a_parked_sync_gets_UNKNOWN_MEMBER_ID_and_the_others_REBALANCE_IN_PROGRESS()
    {
        var group = new GroupDriver();
        var (members, calls) = group.JoinTogether(group.JoinRequest("a"), group.JoinRequest("b"), group.JoinRequest("c"));
        string leader = calls[0].Reply.LeaderId;
        var followers = members.Where(m => m != leader).ToList();
        var syncs = followers.Select(f => group.Sync(f, 1)).ToList();

        group.Leave(followers[0]);

        Assert.Equal(ErrorCode.UnknownMemberId, syncs[0].Reply.Error);
        Assert.Equal(ErrorCode.RebalanceInProgress, syncs[1].Reply.Error);
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);
    }

    [Fact]
    public void A_pending_member_leaving_lets_the_join_barrier_complete()
    {
        var group = new GroupDriver();
        string a = group.Join(group.JoinRequest("a", requireKnownMemberId: true)).Reply.MemberId;
        string b = group.Join(group.JoinRequest("b", requireKnownMemberId: true)).Reply.MemberId;
        var joinA = group.Join("a", a);
        Assert.True(joinA.IsParked);

        Assert.Equal(ErrorCode.None, group.Leave(b).Error);

        Assert.Equal(1, joinA.Reply.GenerationId);
        Assert.Single(joinA.Reply.Members);
    }
}
