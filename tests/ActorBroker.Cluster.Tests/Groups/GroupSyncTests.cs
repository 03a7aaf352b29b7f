using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using static ActorBroker.Cluster.Tests.Groups.GroupDriver;

namespace ActorBroker.Cluster.Tests.Groups;

public class GroupSyncTests
{
    [Fact]
    public void Leader_sync_persists_the_generation_makes_the_group_Stable_and_returns_its_assignment()
    {
        var group = new GroupDriver();
        var join = group.Join("a").Reply;

        var sync = group.Sync(join.MemberId, 1, [new MemberAssignment(join.MemberId, Assignment("p0,p1"))]).Reply;

        Assert.Equal(ErrorCode.None, sync.Error);
        Assert.Equal(Assignment("p0,p1"), sync.Assignment);
        Assert.Equal("consumer", sync.ProtocolType);
        Assert.Equal("range", sync.ProtocolName);
        Assert.Equal(GroupPhase.Stable, group.Phase);
        var generation = Assert.IsType<GenerationCompleted>(Assert.Single(group.Last.Events));
        Assert.Equal(1, generation.GenerationId);
        Assert.Equal(join.MemberId, generation.LeaderId);
        Assert.Equal("range", generation.ProtocolName);
        var member = Assert.Single(generation.Members);
        Assert.Equal(join.MemberId, member.MemberId);
        Assert.Equal(Assignment("p0,p1"), member.Assignment);
        Assert.Equal(SessionTimeout, member.SessionTimeoutMs);
    }

    [Fact]
    public void Follower_sync_is_parked_until_the_leader_syncs_and_then_gets_its_own_assignment()
    {
        var group = new GroupDriver();
        var (members, calls) = group.JoinTogether(group.JoinRequest("a"), group.JoinRequest("b"));
        string leader = calls[0].Reply.LeaderId;
        string follower = members.Single(m => m != leader);

        var followerSync = group.Sync(follower, 1);
        Assert.True(followerSync.IsParked);
        Assert.Equal(GroupPhase.CompletingRebalance, group.Phase);
        Assert.Empty(group.Persisted);

        var leaderSync = group.Sync(leader, 1, [
            new MemberAssignment(leader, Assignment("leader-part")),
            new MemberAssignment(follower, Assignment("follower-part"))]);

        Assert.Equal(Assignment("leader-part"), leaderSync.Reply.Assignment);
        Assert.Equal(ErrorCode.None, followerSync.Reply.Error);
        Assert.Equal(Assignment("follower-part"), followerSync.Reply.Assignment);
        Assert.Equal(GroupPhase.Stable, group.Phase);
    }

    [Fact]
    public void A_member_the_leader_gave_no_assignment_gets_an_empty_one_and_a_late_sync_in_Stable_gets_it_too()
    {
        var group = new GroupDriver();
        var (members, calls) = group.JoinTogether(group.JoinRequest("a"), group.JoinRequest("b"));
        string leader = calls[0].Reply.LeaderId;
        string follower = members.Single(m => m != leader);

        group.Sync(leader, 1, [new MemberAssignment(leader, Assignment("all"))]);
        var late = group.Sync(follower, 1).Reply;

        Assert.Equal(ErrorCode.None, late.Error);
        Assert.Empty(late.Assignment);
        Assert.Equal(Assignment("all"), group.Sync(leader, 1).Reply.Assignment);
    }

    [Fact]
    public void Sync_from_an_unknown_member_gets_UNKNOWN_MEMBER_ID()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");

        Assert.Equal(ErrorCode.UnknownMemberId, group.Sync("nobody", 1).Reply.Error);
    }

    [Fact]
    public void Sync_with_a_wrong_generation_gets_ILLEGAL_GENERATION()
    {
        var group = new GroupDriver();
        var join = group.Join("a").Reply;

        Assert.Equal(ErrorCode.IllegalGeneration, group.Sync(join.MemberId, 2).Reply.Error);
        Assert.Equal(GroupPhase.CompletingRebalance, group.Phase);
    }

    [Fact]
    public void Sync_during_PreparingRebalance_gets_REBALANCE_IN_PROGRESS()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");
        group.JoinNew("b");

        Assert.Equal(ErrorCode.RebalanceInProgress, group.Sync(members[0], generation).Reply.Error);
    }

    [Theory]
    [InlineData("connect", null)]
    [InlineData(null, "roundrobin")]
    [InlineData("consumer", "roundrobin")]
    public void Sync_naming_another_protocol_gets_INCONSISTENT_GROUP_PROTOCOL(string? protocolType, string? protocolName)
    {
        var group = new GroupDriver();
        var join = group.Join("a", protocols: Protocols("range", "roundrobin")).Reply;

        var sync = group.Sync(join.MemberId, 1, protocolType: protocolType, protocolName: protocolName).Reply;

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, sync.Error);
        Assert.Equal(ErrorCode.None, group.Sync(join.MemberId, 1, protocolType: "consumer", protocolName: "range").Reply.Error);
    }

    [Fact]
    public void A_rebalance_starting_while_syncs_are_parked_answers_them_REBALANCE_IN_PROGRESS()
    {
        var group = new GroupDriver();
        var (members, calls) = group.JoinTogether(group.JoinRequest("a"), group.JoinRequest("b"));
        string leader = calls[0].Reply.LeaderId;
        string follower = members.Single(m => m != leader);
        var followerSync = group.Sync(follower, 1);

        var (c, joinC) = group.JoinNew("c");

        Assert.Equal(ErrorCode.RebalanceInProgress, followerSync.Reply.Error);
        Assert.True(joinC.IsParked);
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Sync(leader, 1).Reply.Error);

        group.Join("a", leader);
        group.Join("b", follower);
        Assert.Equal(2, joinC.Reply.GenerationId);
        group.SyncAll([leader, follower, c], leader, 2);
    }

    [Fact]
    public void When_the_leader_never_syncs_members_that_did_not_sync_are_removed_at_the_deadline_and_the_group_rebalances()
    {
        var group = new GroupDriver();
        // Long sessions, so the deadline (not the session) is what removes the leader.
        var (members, calls) = group.JoinTogether(
            group.JoinRequest("a", sessionTimeoutMs: 60_000), group.JoinRequest("b", sessionTimeoutMs: 60_000));
        string leader = calls[0].Reply.LeaderId;
        string follower = members.Single(m => m != leader);
        var followerSync = group.Sync(follower, 1);

        group.TickAfter(RebalanceTimeout - 1);
        Assert.True(followerSync.IsParked);
        group.TickAfter(1);

        Assert.Equal(ErrorCode.RebalanceInProgress, followerSync.Reply.Error);
        Assert.False(group.State.Members.ContainsKey(leader));
        Assert.Equal(GroupPhase.PreparingRebalance, group.Phase);
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat(leader, 1));

        var rejoin = group.Join("b", follower).Reply;
        Assert.Equal(2, rejoin.GenerationId);
        Assert.Equal(follower, rejoin.LeaderId);
        Assert.Single(rejoin.Members);
    }

    [Fact]
    public void When_no_member_syncs_before_the_deadline_the_group_becomes_Empty()
    {
        var group = new GroupDriver();
        group.Join("a", sessionTimeoutMs: 60_000);

        group.TickAfter(RebalanceTimeout);

        Assert.Equal(GroupPhase.Empty, group.Phase);
        Assert.IsType<GroupEmptied>(Assert.Single(group.Persisted));
    }
}
