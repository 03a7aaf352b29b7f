using System.Collections.Immutable;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// Reassignment decisions, as Kafka's controller makes them (KIP-455): a reassignment widens the replica set to
/// target ∪ original (<see cref="PartitionAssignment.Reassign"/>); the controller completes it once every target
/// replica is in the ISR (<see cref="DecideReassignmentProgress"/>, after every ISR or membership change). Each step
/// is one <see cref="PartitionAssignmentChanged"/> carrying the reassignment, so the journal holds it.
/// </summary>
public sealed partial record TopicRegistryState
{
    private Decision DecideAlterReassignments(AlterReassignments alter, IReadOnlyCollection<int> brokers)
    {
        var eligible = brokers.ToHashSet();
        var events = new List<object>();
        var outcomes = new List<ReassignmentOutcome>(alter.Partitions.Count);
        var state = this;
        foreach (var request in alter.Partitions)
        {
            var (changes, error, message) = state.DecideReassignment(request, eligible);
            outcomes.Add(new ReassignmentOutcome(request.Partition, error, message));
            foreach (var changed in changes)
            {
                events.Add(changed);
                state = state.Apply(changed);
            }
        }
        return new Decision(events, new AlterReassignmentsResult(outcomes));
    }

    private (IReadOnlyList<PartitionAssignmentChanged> Events, ErrorCode Error, string? Message) DecideReassignment(ReassignPartition request, HashSet<int> eligible)
    {
        var (name, partition) = request.Partition;
        if (!Topics.TryGetValue(name, out var topic) || partition < 0 || partition >= topic.Assignments.Length)
            return ([], ErrorCode.UnknownTopicOrPartition, $"Topic partition {request.Partition} does not exist.");
        var current = topic.Assignments[partition];
        PartitionAssignmentChanged Changed(PartitionAssignment next) => new(name, topic.TopicId, partition, next);

        if (request.Replicas is null)
        {
            if (current.Reassignment is null)
                return ([], ErrorCode.NoReassignmentInProgress, $"No reassignment of {request.Partition} is in progress.");
            return current.CancelReassignment(eligible) is { } reverted
                ? ([Changed(reverted)], ErrorCode.None, null)
                : ([], ErrorCode.InvalidReplicaAssignment,
                    $"Cannot cancel the reassignment of {request.Partition}: its leader {current.Leader} is a new replica and no original replica is in sync and alive to take over.");
        }
        if (Invalid(request.Replicas, eligible) is { } invalid)
            return ([], ErrorCode.InvalidReplicaAssignment, $"Invalid replicas for {request.Partition}: {invalid}");
        ImmutableArray<int> target = [.. request.Replicas];
        if (current.Reassignment is null && target.SequenceEqual(current.Replicas))
            return ([], ErrorCode.None, null);
        if (current.Reassign(target, eligible) is not { } started)
            return ([], ErrorCode.InvalidReplicaAssignment,
                $"Cannot reassign {request.Partition} to [{string.Join(",", target)}]: its leader {current.Leader} would be dropped and no in-sync replica that stays is alive to take over.");
        // A target the ISR already covers (a reordering, a shrink) completes at once, as in Kafka.
        return started.CompleteReassignment(eligible) is { } completed
            ? ([Changed(started), Changed(completed)], ErrorCode.None, null)
            : ([Changed(started)], ErrorCode.None, null);
    }

    /// <summary>Kafka's checks on a target replica list: not empty, no duplicates, only live brokers.</summary>
    private static string? Invalid(IReadOnlyList<int> replicas, HashSet<int> eligible)
    {
        if (replicas.Count == 0)
            return "the replica list is empty (to cancel a reassignment, send null replicas).";
        if (replicas.Distinct().Count() != replicas.Count)
            return $"[{string.Join(",", replicas)}] names a broker more than once.";
        var unknown = replicas.Where(r => !eligible.Contains(r)).ToList();
        return unknown.Count > 0
            ? $"broker(s) {string.Join(",", unknown)} are not live brokers; live: [{string.Join(",", eligible.Order())}]."
            : null;
    }

    /// <summary>The switch of every reassignment whose target replicas are all in the ISR now (see
    /// <see cref="PartitionAssignment.CompleteReassignment"/>): one event per partition.</summary>
    public IReadOnlyList<PartitionAssignmentChanged> DecideReassignmentProgress(IReadOnlySet<int> eligible) =>
        Topics.Values
            .SelectMany(topic => topic.Assignments.Select((assignment, partition) =>
                assignment.CompleteReassignment(eligible) is { } completed
                    ? new PartitionAssignmentChanged(topic.Name, topic.TopicId, partition, completed)
                    : null))
            .OfType<PartitionAssignmentChanged>()
            .ToList();

    private ListReassignmentsResult ListReassignments(ListReassignments list)
    {
        var wanted = list.Partitions?.ToHashSet();
        return new ListReassignmentsResult(Topics.Values
            .SelectMany(topic => topic.Assignments.Select((assignment, partition) => (Partition: new TopicPartition(topic.Name, partition), assignment)))
            .Where(x => x.assignment.Reassignment is not null && (wanted is null || wanted.Contains(x.Partition)))
            .Select(x => new OngoingReassignment(x.Partition, x.assignment.Replicas, x.assignment.Reassignment!.Adding, x.assignment.Reassignment.Removing))
            .ToList());
    }
}
