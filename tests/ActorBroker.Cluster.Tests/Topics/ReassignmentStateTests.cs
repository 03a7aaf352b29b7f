using System.Collections.Immutable;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Tests.Topics;

/// <summary>The controller's reassignment decisions (Kafka's KIP-455 algorithm) as pure state transitions.</summary>
public class ReassignmentStateTests
{
    private static readonly ActorBrokerSettings Settings = ActorBrokerSettings.Create(ActorBrokerConfig.Reference());
    private static readonly HashSet<int> FourBrokers = [1, 2, 3, 4];
    private static readonly TopicPartition T0 = new("t", 0);

    private static PartitionAssignment Assignment(int[] replicas, int leader, int epoch, int[] isr) =>
        new([.. replicas], leader, epoch, [.. isr]);

    private static TopicRegistryState StateWith(PartitionAssignment assignment) =>
        TopicRegistryState.Empty.Apply(new TopicCreated(
            new TopicDescription("t", Guid.NewGuid(), 1, (short)assignment.Replicas.Length, ImmutableSortedDictionary<string, string>.Empty) { Assignments = [assignment] }));

    private static (TopicRegistryState State, ReassignmentOutcome Outcome) Reassign(TopicRegistryState state, params int[]? replicas)
    {
        var decision = state.Decide(new AlterReassignments([new ReassignPartition(T0, replicas)]), Settings, Guid.NewGuid, FourBrokers);
        return (decision.Events.Aggregate(state, (s, e) => s.Apply(e)), ((AlterReassignmentsResult)decision.Reply).Partitions.Single());
    }

    private static TopicRegistryState WithIsr(TopicRegistryState state, params int[] isr)
    {
        var a = state.Topics["t"].Assignments[0];
        var decision = state.Decide(new AlterIsr(T0, a.Leader, a.LeaderEpoch, [.. isr]), Settings, Guid.NewGuid, FourBrokers);
        return decision.Events.Aggregate(state, (s, e) => s.Apply(e));
    }

    private static TopicRegistryState Progress(TopicRegistryState state) =>
        state.DecideReassignmentProgress(FourBrokers).Aggregate(state, (s, e) => s.Apply(e));

    [Fact]
    public void A_reassignment_widens_the_replicas_to_target_plus_original_and_keeps_leader_and_isr()
    {
        var (state, outcome) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 2, 3, 4);

        Assert.Equal(ErrorCode.None, outcome.Error);
        var a = state.Topics["t"].Assignments[0];
        Assert.Equal([2, 3, 4, 1], a.Replicas.ToArray());
        Assert.Equal((1, 5), (a.Leader, a.LeaderEpoch));
        Assert.Equal([1, 2, 3], a.Isr.ToArray());
        Assert.Equal([4], a.Reassignment!.Adding.ToArray());
        Assert.Equal([1], a.Reassignment.Removing.ToArray());
    }

    [Fact]
    public void The_switch_waits_for_every_target_replica_in_the_isr_then_moves_the_leader_into_the_target_with_a_new_epoch()
    {
        var (state, _) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 2, 3, 4);

        Assert.Empty(state.DecideReassignmentProgress(FourBrokers));
        var done = Progress(WithIsr(state, 1, 2, 3, 4)).Topics["t"].Assignments[0];

        Assert.Equal(Assignment([2, 3, 4], 2, 6, [2, 3, 4]), done);
        Assert.Null(done.Reassignment);
    }

    [Fact]
    public void A_leader_inside_the_target_keeps_leading_in_its_epoch_when_the_switch_drops_another_replica()
    {
        var (state, _) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 1, 2, 4);
        var done = Progress(WithIsr(state, 1, 2, 3, 4)).Topics["t"].Assignments[0];

        Assert.Equal(Assignment([1, 2, 4], 1, 5, [1, 2, 4]), done);
    }

    [Fact]
    public void A_target_the_isr_already_covers_completes_at_once()
    {
        var (state, outcome) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 3, 2);

        Assert.Equal(ErrorCode.None, outcome.Error);
        Assert.Equal(Assignment([3, 2], 3, 6, [2, 3]), state.Topics["t"].Assignments[0]);
    }

    [Fact]
    public void Cancelling_reverts_to_the_original_replicas_and_drops_the_adding_ones_from_the_isr()
    {
        var (started, _) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 2, 3, 4);
        var (cancelled, outcome) = Reassign(WithIsr(started, 1, 2, 3, 4), null);

        Assert.Equal(ErrorCode.None, outcome.Error);
        Assert.Equal(Assignment([1, 2, 3], 1, 5, [1, 2, 3]), cancelled.Topics["t"].Assignments[0]);
    }

    [Fact]
    public void Cancelling_with_no_reassignment_in_progress_is_NO_REASSIGNMENT_IN_PROGRESS()
    {
        var (_, outcome) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), null);

        Assert.Equal(ErrorCode.NoReassignmentInProgress, outcome.Error);
    }

    [Fact]
    public void Reassigning_again_keeps_the_original_replicas_and_drops_adding_replicas_outside_the_new_target()
    {
        var (first, _) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 2, 3, 4);
        var (second, outcome) = Reassign(WithIsr(first, 1, 2, 3, 4), 1, 2, 3);

        Assert.Equal(ErrorCode.None, outcome.Error);
        Assert.Equal(Assignment([1, 2, 3], 1, 5, [1, 2, 3]), second.Topics["t"].Assignments[0]);

        var (third, _) = Reassign(first, 3, 4, 2);
        var a = third.Topics["t"].Assignments[0];
        Assert.Equal([1, 2, 3], a.Reassignment!.Original.ToArray());
        Assert.Equal([3, 4, 2, 1], a.Replicas.ToArray());
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 2, 2, 3 })]
    [InlineData(new[] { 2, 3, 9 })]
    public void Empty_duplicate_or_unknown_broker_targets_are_INVALID_REPLICA_ASSIGNMENT(int[] target)
    {
        var state = StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3]));
        var (after, outcome) = Reassign(state, target);

        Assert.Equal(ErrorCode.InvalidReplicaAssignment, outcome.Error);
        Assert.Same(state, after);
    }

    [Fact]
    public void An_unknown_topic_or_partition_is_UNKNOWN_TOPIC_OR_PARTITION_and_other_partitions_still_proceed()
    {
        var state = StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3]));
        var decision = state.Decide(new AlterReassignments([new ReassignPartition(new TopicPartition("t", 7), [1]), new ReassignPartition(T0, [2, 3, 4])]),
            Settings, Guid.NewGuid, FourBrokers);

        var outcomes = ((AlterReassignmentsResult)decision.Reply).Partitions;
        Assert.Equal([ErrorCode.UnknownTopicOrPartition, ErrorCode.None], outcomes.Select(o => o.Error));
        Assert.Single(decision.Events);
    }

    [Fact]
    public void List_shows_replicas_adding_and_removing_of_reassignments_in_progress_only()
    {
        var (state, _) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 2, 3, 4);

        var listed = (ListReassignmentsResult)state.Decide(new ListReassignments(null), Settings, Guid.NewGuid, FourBrokers).Reply;
        var ongoing = Assert.Single(listed.Reassignments);
        Assert.Equal([2, 3, 4, 1], ongoing.Replicas.ToArray());
        Assert.Equal([4], ongoing.Adding.ToArray());
        Assert.Equal([1], ongoing.Removing.ToArray());

        var none = (ListReassignmentsResult)Progress(WithIsr(state, 1, 2, 3, 4)).Decide(new ListReassignments(null), Settings, Guid.NewGuid, FourBrokers).Reply;
        Assert.Empty(none.Reassignments);
    }

    [Fact]
    public void A_failover_during_a_reassignment_keeps_it_and_the_switch_still_happens()
    {
        var (state, _) = Reassign(StateWith(Assignment([1, 2, 3], 1, 5, [1, 2, 3])), 2, 3, 4);
        var alive = new HashSet<int> { 2, 3, 4 };
        var failedOver = state.DecideMembership(alive, alive, Settings).Aggregate(state, (s, e) => s.Apply(e));
        var a = failedOver.Topics["t"].Assignments[0];
        Assert.Equal((2, 6), (a.Leader, a.LeaderEpoch));
        Assert.NotNull(a.Reassignment);

        var done = Progress(WithIsr(failedOver, 2, 3, 4)).Topics["t"].Assignments[0];
        Assert.Equal(Assignment([2, 3, 4], 2, 6, [2, 3, 4]), done);
    }
}
