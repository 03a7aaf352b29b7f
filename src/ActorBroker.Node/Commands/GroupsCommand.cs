using System.Globalization;
using ActorBroker.Node.Admin;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Consumer;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker groups list|describe|reset-offsets|delete</c>: consumer group administration over the Kafka protocol.</summary>
public static class GroupsCommand
{
    public const string Help = """
        actorbroker groups <list|describe|reset-offsets|delete> [options]

        Administers consumer groups on a running broker, over the Kafka protocol (any node of the cluster will do).

        Commands:
          groups list
          groups describe GROUP
          groups reset-offsets GROUP --topic T (--to-earliest | --to-latest | --to-offset N) [--partition N] [--dry-run]
          groups delete GROUP

        Every command takes --bootstrap H:P (default 127.0.0.1:9092). Run 'actorbroker groups <command> --help'
        for a command's options. Exit codes: 0 done, 1 the broker refused or could not be reached, 2 usage error.
        """;

    public const string ListHelp = """
        actorbroker groups list [--bootstrap H:P]

        Prints every group, one per line, sorted: GROUP<TAB>PROTOCOL-TYPE<TAB>STATE (ListGroups v4, which carries
        each group's state). The protocol type is "consumer" for Kafka consumers and "-" for a group
        that only ever had offsets committed to it; the state is Empty, PreparingRebalance, CompletingRebalance
        or Stable.

        Options:
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Example:
          actorbroker groups list
        """;

    public const string DescribeHelp = """
        actorbroker groups describe GROUP [--bootstrap H:P]

        Prints a group's state and protocol; each member's id, client id, host and assigned partitions (decoded
        from the consumer protocol assignment); and for each partition with a committed offset or an assigned
        member: the committed offset, the log end offset and the lag (log end - committed). A group the broker
        does not know (state Dead, no committed offsets) is reported as GROUP_ID_NOT_FOUND with exit code 1.

        Options:
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Example:
          actorbroker groups describe billing-service
        """;

    public const string ResetOffsetsHelp = """
        actorbroker groups reset-offsets GROUP --topic T (--to-earliest | --to-latest | --to-offset N) [options]

        Sets the committed offsets of GROUP for every partition of topic T (or the one --partition names), so its
        consumers resume there. The group must have no active members: stop its consumers first, otherwise the
        command refuses and exits 1. Prints "OLD -> NEW" per partition ("-" when nothing was committed). An
        --to-offset outside a partition's log is moved to the log start or end, as the line says.

        Options:
          --topic T                the topic whose offsets to reset (required)
          --to-earliest            the log start offset of each partition
          --to-latest              the log end offset of each partition (skip everything so far)
          --to-offset N            offset N
          --partition N            only this partition, default: all partitions of the topic
          --dry-run                print what would be committed, commit nothing
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Examples:
          actorbroker groups reset-offsets billing-service --topic orders --to-earliest --dry-run
          actorbroker groups reset-offsets billing-service --topic orders --to-offset 1000 --partition 2
        """;

    public const string DeleteHelp = """
        actorbroker groups delete GROUP [--bootstrap H:P]

        Deletes a group and its committed offsets. Prints "Deleted group GROUP", or the Kafka error and exits 1;
        a group with active members cannot be deleted (NON_EMPTY_GROUP): stop its consumers first.

        Options:
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Example:
          actorbroker groups delete billing-service
        """;

    /// <summary>The protocol type of Kafka's consumers, whose member assignments are ConsumerProtocolAssignments.</summary>
    private const string ConsumerProtocolType = "consumer";

    private static readonly Subcommand[] All =
    [
        new("list", ListHelp, AdminOptions.With(), [], ListAsync),
        new("describe", DescribeHelp, AdminOptions.With(), [], DescribeAsync),
        new("reset-offsets", ResetOffsetsHelp, AdminOptions.With("topic", "partition", "to-offset"), ["to-earliest", "to-latest", "dry-run"], ResetOffsetsAsync),
        new("delete", DeleteHelp, AdminOptions.With(), [], DeleteAsync),
    ];

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        Subcommands.RunAsync("groups", Help, All, args, cancellationToken);

    private static async Task<int> ListAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Positional.Count > 0)
            throw new UsageException($"groups list takes no arguments, but got: {string.Join(" ", line.Positional)}.");
        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var response = await connection.ListGroupsAsync(new ListGroupsRequest(), cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(response.ErrorCode, null, "listing groups");
        foreach (var g in response.Groups.OrderBy(g => g.GroupId, StringComparer.Ordinal))
            Console.WriteLine($"{g.GroupId}\t{Dash(g.ProtocolType)}\t{g.GroupState}");
        return 0;
    }

    private static async Task<int> DescribeAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string groupId = AdminOptions.SingleName(line, "group id");
        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var group = await DescribeGroupAsync(connection, groupId, cancellationToken).ConfigureAwait(false);
        var committed = await FetchCommittedAsync(connection, groupId, null, cancellationToken).ConfigureAwait(false);
        if (group.GroupState == "Dead" && committed.Count == 0)
        {
            throw new CommandFailedException(KafkaErrors.Describe((short)ErrorCode.GroupIdNotFound,
                $"group '{groupId}' has no members and no committed offsets", $"describing group '{groupId}'"));
        }

        // Which member owns each partition, from the decoded assignments.
        var owners = new Dictionary<(string Topic, int Partition), string>();
        var memberLines = new List<string>();
        foreach (var member in group.Members.OrderBy(m => m.MemberId, StringComparer.Ordinal))
        {
            string assignment;
            if (group.ProtocolType != ConsumerProtocolType)
            {
                assignment = $"({member.MemberAssignment.Length} bytes of protocol type '{group.ProtocolType}')";
            }
            else if (ConsumerProtocolAssignment.TryRead(member.MemberAssignment, out string? error) is { } decoded)
            {
                var partitions = decoded.Partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
                foreach (var p in partitions)
                    owners[p] = member.MemberId;
                assignment = partitions.Count == 0 ? "-" : string.Join(",", partitions.Select(p => $"{p.Topic}-{p.Partition}"));
            }
            else
            {
                assignment = $"(undecodable: {error})";
            }
            string instance = member.GroupInstanceId is null ? "" : $"\tInstanceId: {member.GroupInstanceId}";
            memberLines.Add($"\tMemberId: {member.MemberId}{instance}\tClientId: {member.ClientId}\tHost: {member.ClientHost}\tAssignment: {assignment}");
        }

        var partitionKeys = committed.Keys.Union(owners.Keys)
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
        var endOffsets = await ListOffsetsAsync(connection, partitionKeys, ListOffsetsTimestamp.Latest, cancellationToken).ConfigureAwait(false);

        Console.WriteLine($"Group: {group.GroupId}\tState: {group.GroupState}\tProtocolType: {Dash(group.ProtocolType)}\tProtocol: {Dash(group.ProtocolData)}");
        Console.WriteLine($"Members: {group.Members.Count}");
        foreach (var memberLine in memberLines)
            Console.WriteLine(memberLine);
        Console.WriteLine(partitionKeys.Count == 0 ? "Offsets: (none committed)" : "Offsets:");
        foreach (var key in partitionKeys)
        {
            string committedText = "-", endText = "-", lagText = "-";
            long? committedOffset = null, endOffset = null;
            if (committed.TryGetValue(key, out var c))
            {
                if (c.ErrorCode != 0)
                    committedText = KafkaErrors.Name(c.ErrorCode);
                else if (c.CommittedOffset >= 0)
                    committedText = Number(committedOffset = c.CommittedOffset);
            }
            if (endOffsets.TryGetValue(key, out var e))
            {
                if (e.ErrorCode != 0)
                    endText = KafkaErrors.Name(e.ErrorCode);
                else
                    endText = Number(endOffset = e.Offset);
            }
            if (committedOffset is { } co && endOffset is { } eo)
                lagText = Number(eo - co);
            string owner = owners.TryGetValue(key, out var memberId) ? memberId : "-";
            Console.WriteLine($"\tTopic: {key.Topic}\tPartition: {key.Partition}\tCommittedOffset: {committedText}\tLogEndOffset: {endText}\tLag: {lagText}\tMemberId: {owner}");
        }
        return 0;
    }

    private static async Task<int> ResetOffsetsAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string groupId = AdminOptions.SingleName(line, "group id");
        string topic = line.Value("topic") ?? throw new UsageException("Missing --topic T: the topic whose offsets to reset.");
        int? onlyPartition = line.Int("partition");
        if (onlyPartition is < 0)
            throw new UsageException($"--partition must be 0 or more, but is {onlyPartition}.");
        long? toOffset = null;
        if (line.Value("to-offset") is { } toOffsetText)
        {
            if (!long.TryParse(toOffsetText, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
                throw new UsageException($"--to-offset must be a whole number 0 or more, but is '{toOffsetText}'.");
            toOffset = parsed;
        }
        int targets = (line.Has("to-earliest") ? 1 : 0) + (line.Has("to-latest") ? 1 : 0) + (toOffset is null ? 0 : 1);
        if (targets != 1)
            throw new UsageException("Give exactly one of --to-earliest, --to-latest and --to-offset N.");
        bool dryRun = line.Has("dry-run");

        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var group = await DescribeGroupAsync(connection, groupId, cancellationToken).ConfigureAwait(false);
        if (group.GroupState is not ("Empty" or "Dead"))
        {
            throw new CommandFailedException(
                $"group {groupId} has active members; stop its consumers first (state {group.GroupState}, {group.Members.Count} member(s)).");
        }

        var metadata = await TopicsCommand.DescribeTopicAsync(connection, topic, cancellationToken).ConfigureAwait(false);
        var all = metadata.Partitions.Select(p => p.PartitionIndex).Order().ToList();
        if (onlyPartition is { } only && !all.Contains(only))
        {
            throw new CommandFailedException(KafkaErrors.Describe((short)ErrorCode.UnknownTopicOrPartition,
                $"topic '{topic}' has no partition {only}; it has {all.Count} (0 to {all.Count - 1})", $"resetting offsets of group '{groupId}'"));
        }
        var keys = (onlyPartition is { } one ? [one] : all).Select(p => (Topic: topic, Partition: p)).ToList();

        var old = await FetchCommittedAsync(connection, groupId, keys, cancellationToken).ConfigureAwait(false);
        var earliest = await ListOffsetsAsync(connection, keys, ListOffsetsTimestamp.Earliest, cancellationToken).ConfigureAwait(false);
        var latest = await ListOffsetsAsync(connection, keys, ListOffsetsTimestamp.Latest, cancellationToken).ConfigureAwait(false);

        var plan = new List<(int Partition, string Old, long New, string Note)>();
        foreach (var key in keys)
        {
            long start = OffsetOrThrow(earliest, key, "earliest");
            long end = OffsetOrThrow(latest, key, "latest");
            long target = toOffset ?? (line.Has("to-earliest") ? start : end);
            string note = "";
            if (target < start)
            {
                note = $"\t(--to-offset {target} is before the log start {start})";
                target = start;
            }
            else if (target > end)
            {
                note = $"\t(--to-offset {target} is past the log end {end})";
                target = end;
            }
            string oldText = old.TryGetValue(key, out var o) && o.ErrorCode == 0 && o.CommittedOffset >= 0 ? Number(o.CommittedOffset) : "-";
            plan.Add((key.Partition, oldText, target, note));
        }

        if (!dryRun)
        {
            var response = await connection.OffsetCommitAsync(new OffsetCommitRequest
            {
                GroupId = groupId,
                GenerationIdOrMemberEpoch = -1, // with an empty member id: a simple commit, allowed while the group is empty
                MemberId = "",
                GroupInstanceId = null,
                Topics =
                [
                    new OffsetCommitRequest.OffsetCommitRequestTopic
                    {
                        Name = topic,
                        Partitions = plan.Select(p => new OffsetCommitRequest.OffsetCommitRequestPartition
                        {
                            PartitionIndex = p.Partition,
                            CommittedOffset = p.New,
                            CommittedLeaderEpoch = -1,
                            CommittedMetadata = "",
                        }).ToList(),
                    },
                ],
            }, cancellationToken).ConfigureAwait(false);
            foreach (var p in response.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p))).OrderBy(x => x.p.PartitionIndex))
                KafkaErrors.ThrowIfError(p.p.ErrorCode, null, $"committing the offset of {p.Name}-{p.p.PartitionIndex} for group '{groupId}'");
        }

        foreach (var p in plan)
            Console.WriteLine($"Topic: {topic}\tPartition: {p.Partition}\tOffset: {p.Old} -> {Number(p.New)}{p.Note}");
        Console.WriteLine(dryRun
            ? $"Dry run: nothing committed for group {groupId}; run again without --dry-run to commit."
            : $"Reset {plan.Count} offset(s) of group {groupId} for topic {topic}");
        return 0;
    }

    private static async Task<int> DeleteAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string groupId = AdminOptions.SingleName(line, "group id");
        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var response = await connection.DeleteGroupsAsync(new DeleteGroupsRequest { GroupsNames = [groupId] }, cancellationToken).ConfigureAwait(false);
        var result = response.Results.FirstOrDefault(r => r.GroupId == groupId)
            ?? throw new CommandFailedException($"The broker's DeleteGroups response has no result for group '{groupId}'.");
        KafkaErrors.ThrowIfError(result.ErrorCode, null, $"deleting group '{groupId}'");
        Console.WriteLine($"Deleted group {groupId}");
        return 0;
    }

    /// <summary>DescribeGroups for one group; a Kafka error fails the command. An unknown group comes back "Dead".</summary>
    private static async Task<DescribeGroupsResponse.DescribedGroup> DescribeGroupAsync(
        KafkaAdminConnection connection, string groupId, CancellationToken cancellationToken)
    {
        var response = await connection.DescribeGroupsAsync(new DescribeGroupsRequest { Groups = [groupId] }, cancellationToken).ConfigureAwait(false);
        var group = response.Groups.FirstOrDefault(g => g.GroupId == groupId)
            ?? throw new CommandFailedException($"The broker's DescribeGroups response has no entry for group '{groupId}'.");
        KafkaErrors.ThrowIfError(group.ErrorCode, null, $"describing group '{groupId}'");
        return group;
    }

    /// <summary>
    /// The group's committed offsets (OffsetFetch): of <paramref name="partitions"/>, or of every partition it has
    /// committed when null. Partitions without a commit come back with offset -1.
    /// </summary>
    private static async Task<Dictionary<(string Topic, int Partition), OffsetFetchResponse.OffsetFetchResponsePartition>> FetchCommittedAsync(
        KafkaAdminConnection connection, string groupId, IReadOnlyList<(string Topic, int Partition)>? partitions, CancellationToken cancellationToken)
    {
        var response = await connection.OffsetFetchAsync(new OffsetFetchRequest
        {
            GroupId = groupId,
            Topics = partitions?.GroupBy(p => p.Topic).Select(g => new OffsetFetchRequest.OffsetFetchRequestTopic
            {
                Name = g.Key,
                PartitionIndexes = g.Select(p => p.Partition).ToList(),
            }).ToList(),
            RequireStable = false,
        }, cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(response.ErrorCode, null, $"fetching the committed offsets of group '{groupId}'");
        var result = new Dictionary<(string, int), OffsetFetchResponse.OffsetFetchResponsePartition>();
        foreach (var t in response.Topics)
        {
            foreach (var p in t.Partitions)
            {
                if (partitions is null && p.ErrorCode == 0 && p.CommittedOffset < 0)
                    continue; // nothing committed
                result[(t.Name, p.PartitionIndex)] = p;
            }
        }
        return result;
    }

    /// <summary>ListOffsets at <paramref name="timestamp"/> for the given partitions, in one request; per-partition errors are kept.</summary>
    private static async Task<Dictionary<(string Topic, int Partition), ListOffsetsResponse.ListOffsetsPartitionResponse>> ListOffsetsAsync(
        KafkaAdminConnection connection, IReadOnlyList<(string Topic, int Partition)> partitions, long timestamp, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, int), ListOffsetsResponse.ListOffsetsPartitionResponse>();
        if (partitions.Count == 0)
            return result;
        var response = await connection.ListOffsetsAsync(new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = partitions.GroupBy(p => p.Topic).Select(g => new ListOffsetsRequest.ListOffsetsTopic
            {
                Name = g.Key,
                Partitions = g.Select(p => new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = p.Partition, Timestamp = timestamp }).ToList(),
            }).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        foreach (var t in response.Topics)
            foreach (var p in t.Partitions)
                result[(t.Name, p.PartitionIndex)] = p;
        return result;
    }

    private static long OffsetOrThrow(
        Dictionary<(string Topic, int Partition), ListOffsetsResponse.ListOffsetsPartitionResponse> offsets, (string Topic, int Partition) key, string which)
    {
        if (!offsets.TryGetValue(key, out var p))
            throw new CommandFailedException($"The broker's ListOffsets response has no entry for {key.Topic}-{key.Partition}.");
        KafkaErrors.ThrowIfError(p.ErrorCode, null, $"listing the {which} offset of {key.Topic}-{key.Partition}");
        return p.Offset;
    }

    private static string Dash(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    private static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
