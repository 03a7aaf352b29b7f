using System.Collections.Immutable;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Groups;

/// <summary>
/// One decision in progress: starts from a <see cref="GroupState"/> at a point in time, accumulates state changes,
/// events and parked replies, and finishes as a <see cref="GroupOutcome"/>. Each public method is one command of
/// the classic group protocol, following Kafka's GroupCoordinator (error codes included).
/// </summary>
internal sealed class Transition(GroupState state, long nowMs, GroupSettings settings)
{
    private GroupState _state = state;
    private readonly List<object> _events = new();
    private readonly List<ParkedReply> _parked = new();

    private GroupOutcome Done(object? reply, string? parkAs = null) => new(_state, _events, reply, parkAs, _parked);

    private void Persist(object @event)
    {
        _events.Add(@event);
        _state = _state.Apply(@event, nowMs);
    }

    private void SetMember(GroupMember member) => _state = _state with { Members = _state.Members.SetItem(member.MemberId, member) };

    // ---- JoinGroup -------------------------------------------------------------------------------------------

    public GroupOutcome Join(JoinGroup join, Func<Guid> newGuid)
    {
        if (_state.Phase == GroupPhase.Dead)
            return Done(JoinGroupResult.Failed(ErrorCode.CoordinatorNotAvailable, join.MemberId));
        if (join.SessionTimeoutMs < settings.MinSessionTimeoutMs || join.SessionTimeoutMs > settings.MaxSessionTimeoutMs)
            return Done(JoinGroupResult.Failed(ErrorCode.InvalidSessionTimeout, join.MemberId));
        if (string.IsNullOrEmpty(join.ProtocolType) || join.Protocols.Count == 0 || !SupportsProtocols(join))
            return Done(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, join.MemberId));
        if (join.Protocols.Any(p => p.Metadata.Length > settings.MaxMetadataBytes * 256))
            return Done(JoinGroupResult.Failed(ErrorCode.InvalidRequest, join.MemberId));

        string memberId = join.MemberId;
        if (memberId == "")
        {
            if (_state.Members.Count + _state.PendingMembers.Count >= settings.MaxGroupSize)
                return Done(JoinGroupResult.Failed(ErrorCode.GroupMaxSizeReached));
            memberId = $"{join.ClientId}-{newGuid():D}";
            if (join.GroupInstanceId is { } instance && FindByInstance(instance) is { } previous)
            {
                // A static member restarted: it takes over its old identity under a new member id.
                FenceParked(previous);
                _state = _state with { Members = _state.Members.Remove(previous.MemberId) };
                if (_state.LeaderId == previous.MemberId)
                    _state = _state with { LeaderId = memberId };
                if (_state.Phase == GroupPhase.Stable && SameProtocols(previous.Protocols, join.Protocols))
                    return RejoinStaticMemberWithoutRebalance(previous, join, memberId);
            }
            else if (join.RequireKnownMemberId && join.GroupInstanceId is null)
            {
                _state = _state with { PendingMembers = _state.PendingMembers.SetItem(memberId, nowMs + join.SessionTimeoutMs) };
                return Done(JoinGroupResult.Failed(ErrorCode.MemberIdRequired, memberId));
            }
            return AddMemberAndRebalance(join, memberId);
        }

        if (IsFencedBy(memberId, join.GroupInstanceId) && !_state.PendingMembers.ContainsKey(memberId))
            return Done(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, memberId));
        if (!_state.Members.TryGetValue(memberId, out var member))
        {
            if (!_state.PendingMembers.ContainsKey(memberId))
                return Done(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, memberId));
            _state = _state with { PendingMembers = _state.PendingMembers.Remove(memberId) };
            return AddMemberAndRebalance(join, memberId);
        }
        if (IsFenced(member, join.GroupInstanceId))
            return Done(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, memberId));

        bool sameProtocols = SameProtocols(member.Protocols, join.Protocols);
        var updated = member with
        {
            Protocols = join.Protocols,
            SessionTimeoutMs = join.SessionTimeoutMs,
            RebalanceTimeoutMs = join.RebalanceTimeoutMs,
            ClientId = join.ClientId,
            ClientHost = join.ClientHost,
            LastHeartbeatMs = nowMs,
        };
        switch (_state.Phase)
        {
            case GroupPhase.Stable when sameProtocols && _state.LeaderId != memberId:
                SetMember(updated);
                return Done(JoinResponse(updated, includeMembers: false));
            case GroupPhase.CompletingRebalance when sameProtocols:
                // The member lost the join response: give it the current generation again.
                SetMember(updated);
                return Done(JoinResponse(updated, includeMembers: _state.LeaderId == memberId));
            default:
                SetMember(updated with { AwaitingJoin = true });
                if (_state.Phase != GroupPhase.PreparingRebalance)
                    PrepareRebalance();
                TryCompleteJoin();
                return ParkedOrAnswered(memberId);
        }
    }

    /// <summary>
    /// Kafka's point of static membership: a restarted member with the same subscription keeps its assignment under
    /// its new member id, and the group stays Stable. The generation is persisted again with the new id, so the
    /// member is still known after a coordinator restart.
    /// </summary>
    private GroupOutcome RejoinStaticMemberWithoutRebalance(GroupMember previous, JoinGroup join, string memberId)
    {
        var member = previous with
        {
            MemberId = memberId,
            ClientId = join.ClientId,
            ClientHost = join.ClientHost,
            SessionTimeoutMs = join.SessionTimeoutMs,
            RebalanceTimeoutMs = join.RebalanceTimeoutMs,
            LastHeartbeatMs = nowMs,
            AwaitingJoin = false,
            AwaitingSync = false,
        };
        SetMember(member);
        Persist(new GenerationCompleted(_state.GenerationId, _state.ProtocolType!, _state.ProtocolName!, _state.LeaderId!,
            _state.Members.Values.Select(m => m.ToPersisted()).ToList()));
        return Done(JoinResponse(_state.Members[memberId], includeMembers: _state.LeaderId == memberId));
    }

    private GroupOutcome AddMemberAndRebalance(JoinGroup join, string memberId)
    {
        SetMember(new GroupMember(memberId, join.GroupInstanceId, join.ClientId, join.ClientHost, join.SessionTimeoutMs,
            join.RebalanceTimeoutMs, join.ProtocolType, join.Protocols, [], nowMs, AwaitingJoin: true, AwaitingSync: false, Synced: false));
        // As in Kafka, the first member to join a group without a leader leads the next generation.
        if (_state.LeaderId is null || !_state.Members.ContainsKey(_state.LeaderId))
            _state = _state with { LeaderId = memberId };
        if (_state.Phase != GroupPhase.PreparingRebalance)
            PrepareRebalance();
        TryCompleteJoin();
        return ParkedOrAnswered(memberId);
    }

    /// <summary>The join completed within this command: hand the member its reply now instead of parking it.</summary>
    private GroupOutcome ParkedOrAnswered(string memberId)
    {
        int index = _parked.FindIndex(p => p.MemberId == memberId && p.Reply is JoinGroupResult);
        if (index < 0)
            return Done(null, parkAs: memberId);
        var reply = _parked[index].Reply;
        _parked.RemoveAt(index);
        return Done(reply);
    }

    private bool SupportsProtocols(JoinGroup join)
    {
        if (_state.Members.IsEmpty)
            return true;
        // The members' type, not ProtocolType: after the group emptied, its first new member may bring another type.
        if (_state.Members.Values.First().ProtocolType != join.ProtocolType)
            return false;
        var others = _state.Members.Values.Where(m => m.MemberId != join.MemberId).ToList();
        return others.Count == 0 || join.Protocols.Any(p => others.All(m => m.Protocols.Any(q => q.Name == p.Name)));
    }

    private static bool SameProtocols(IReadOnlyList<MemberProtocol> a, IReadOnlyList<MemberProtocol> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => pair.Item1.Name == pair.Item2.Name && pair.Item1.Metadata.AsSpan().SequenceEqual(pair.Item2.Metadata));

    private GroupMember? FindByInstance(string instanceId) =>
        _state.Members.Values.FirstOrDefault(m => m.GroupInstanceId == instanceId);

    /// <summary>The instance id belongs to another member id: the sender is a zombie of a replaced static member.</summary>
    private bool IsFencedBy(string memberId, string? instanceId) =>
        instanceId is not null && FindByInstance(instanceId) is { } owner && owner.MemberId != memberId;

    private void FenceParked(GroupMember member)
    {
        if (member.AwaitingJoin)
            _parked.Add(new ParkedReply(member.MemberId, JoinGroupResult.Failed(ErrorCode.FencedInstanceId, member.MemberId)));
        if (member.AwaitingSync)
            _parked.Add(new ParkedReply(member.MemberId, SyncGroupResult.Failed(ErrorCode.FencedInstanceId)));
    }

    private bool IsFenced(GroupMember member, string? instanceId) =>
        instanceId is not null && member.GroupInstanceId != instanceId
        || instanceId is not null && FindByInstance(instanceId) is { } owner && owner.MemberId != member.MemberId;

    private JoinGroupResult JoinResponse(GroupMember member, bool includeMembers) => new(
        ErrorCode.None,
        _state.GenerationId,
        _state.ProtocolType,
        _state.ProtocolName,
        _state.LeaderId ?? "",
        member.MemberId,
        includeMembers
            ? _state.Members.Values.Select(m => new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(_state.ProtocolName))).ToList()
            : []);

    private void PrepareRebalance()
    {
        if (_state.Phase == GroupPhase.CompletingRebalance)
        {
            foreach (var waiting in _state.Members.Values.Where(m => m.AwaitingSync))
            {
                _parked.Add(new ParkedReply(waiting.MemberId, SyncGroupResult.Failed(ErrorCode.RebalanceInProgress)));
                SetMember(waiting with { AwaitingSync = false });
            }
        }
        bool wasEmpty = _state.Phase == GroupPhase.Empty;
        int rebalanceTimeout = _state.Members.Values.Select(m => m.RebalanceTimeoutMs).DefaultIfEmpty(0).Max();
        _state = _state with
        {
            Phase = GroupPhase.PreparingRebalance,
            PhaseDeadlineMs = nowMs + rebalanceTimeout,
            JoinNotBeforeMs = wasEmpty ? nowMs + Math.Min(settings.InitialRebalanceDelayMs, rebalanceTimeout) : nowMs,
        };
    }


    /// <summary>Completes the join barrier when every member has rejoined (after the initial delay) or time is up.</summary>
    private void TryCompleteJoin()
    {
        if (_state.Phase != GroupPhase.PreparingRebalance)
            return;
        bool allJoined = _state.Members.Values.All(m => m.AwaitingJoin) && _state.PendingMembers.IsEmpty;
        bool timedOut = nowMs >= _state.PhaseDeadlineMs;
        if (!(allJoined && nowMs >= _state.JoinNotBeforeMs) && !timedOut)
            return;

        // Members that did not rejoin in time are out of the new generation.
        var joined = _state.Members.Values.Where(m => m.AwaitingJoin).ToList();
        _state = _state with
        {
            Members = joined.ToImmutableSortedDictionary(m => m.MemberId, m => m),
            PendingMembers = _state.PendingMembers.Clear(),
        };
        if (joined.Count == 0)
        {
            Persist(new GroupEmptied(_state.GenerationId + 1));
            return;
        }

        string protocol = SelectProtocol(joined);
        string leader = _state.LeaderId is { } current && _state.Members.ContainsKey(current) ? current : joined[0].MemberId;
        _state = _state with
        {
            Phase = GroupPhase.CompletingRebalance,
            GenerationId = _state.GenerationId + 1,
            ProtocolType = joined[0].ProtocolType,
            ProtocolName = protocol,
            LeaderId = leader,
            PhaseDeadlineMs = nowMs + joined.Max(m => m.RebalanceTimeoutMs),
        };
        foreach (var member in joined)
        {
            var next = member with { AwaitingJoin = false, Synced = false, LastHeartbeatMs = nowMs };
            SetMember(next);
        }
        foreach (var member in _state.Members.Values)
            _parked.Add(new ParkedReply(member.MemberId, JoinResponse(member, includeMembers: member.MemberId == leader)));
    }

    /// <summary>Kafka's vote: among protocols every member supports, the one most members list first.</summary>
    private static string SelectProtocol(IReadOnlyList<GroupMember> members)
    {
        var candidates = members[0].Protocols.Select(p => p.Name)
            .Where(name => members.All(m => m.Protocols.Any(p => p.Name == name)))
            .ToList();
        return candidates
            .Select(name => (Name: name, Votes: members.Count(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name == name)))
            .OrderByDescending(c => c.Votes)
            .First().Name;
    }

    // ---- SyncGroup -------------------------------------------------------------------------------------------

    public GroupOutcome Sync(SyncGroup sync)
    {
        if (_state.Phase == GroupPhase.Dead)
            return Done(SyncGroupResult.Failed(ErrorCode.CoordinatorNotAvailable));
        if (IsFencedBy(sync.MemberId, sync.GroupInstanceId))
            return Done(SyncGroupResult.Failed(ErrorCode.FencedInstanceId));
        if (!_state.Members.TryGetValue(sync.MemberId, out var member))
            return Done(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
        if (IsFenced(member, sync.GroupInstanceId))
            return Done(SyncGroupResult.Failed(ErrorCode.FencedInstanceId));
        if (sync.GenerationId != _state.GenerationId)
            return Done(SyncGroupResult.Failed(ErrorCode.IllegalGeneration));
        if (sync.ProtocolType is { } type && type != _state.ProtocolType || sync.ProtocolName is { } name && name != _state.ProtocolName)
            return Done(SyncGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));

        switch (_state.Phase)
        {
            case GroupPhase.PreparingRebalance:
                return Done(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
            case GroupPhase.Stable:
                SetMember(member with { LastHeartbeatMs = nowMs });
                return Done(SyncResponse(member.Assignment));
            case GroupPhase.CompletingRebalance:
                SetMember(member with { AwaitingSync = true, Synced = true, LastHeartbeatMs = nowMs });
                if (sync.MemberId == _state.LeaderId)
                    CompleteGeneration(sync.Assignments);
                int index = _parked.FindIndex(p => p.MemberId == sync.MemberId);
                if (index < 0)
                    return Done(null, parkAs: sync.MemberId);
                var reply = _parked[index].Reply;
                _parked.RemoveAt(index);
                return Done(reply);
            default:
                return Done(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
        }
    }

    private SyncGroupResult SyncResponse(byte[] assignment) => new(ErrorCode.None, _state.ProtocolType, _state.ProtocolName, assignment);

    private void CompleteGeneration(IReadOnlyList<MemberAssignment> assignments)
    {
        var byMember = assignments.GroupBy(a => a.MemberId).ToDictionary(g => g.Key, g => g.Last().Assignment);
        var waiting = _state.Members.Values.Where(m => m.AwaitingSync).Select(m => m.MemberId).ToList();
        Persist(new GenerationCompleted(
            _state.GenerationId,
            _state.ProtocolType!,
            _state.ProtocolName!,
            _state.LeaderId!,
            _state.Members.Values.Select(m => m.ToPersisted(byMember.GetValueOrDefault(m.MemberId, []))).ToList()));
        foreach (var memberId in waiting)
            _parked.Add(new ParkedReply(memberId, SyncResponse(_state.Members[memberId].Assignment)));
    }

    // ---- Heartbeat, LeaveGroup -------------------------------------------------------------------------------

    public GroupOutcome Heartbeat(Heartbeat heartbeat)
    {
        if (_state.Phase == GroupPhase.Dead)
            return Done(new HeartbeatResult(ErrorCode.CoordinatorNotAvailable));
        if (IsFencedBy(heartbeat.MemberId, heartbeat.GroupInstanceId))
            return Done(new HeartbeatResult(ErrorCode.FencedInstanceId));
        if (!_state.Members.TryGetValue(heartbeat.MemberId, out var member))
            return Done(new HeartbeatResult(ErrorCode.UnknownMemberId));
        if (IsFenced(member, heartbeat.GroupInstanceId))
            return Done(new HeartbeatResult(ErrorCode.FencedInstanceId));
        if (heartbeat.GenerationId != _state.GenerationId)
            return Done(new HeartbeatResult(ErrorCode.IllegalGeneration));
        SetMember(member with { LastHeartbeatMs = nowMs });
        return Done(new HeartbeatResult(_state.Phase == GroupPhase.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None));
    }

    public GroupOutcome Leave(LeaveGroup leave)
    {
        if (_state.Phase == GroupPhase.Dead)
            return Done(new LeaveGroupResult(ErrorCode.CoordinatorNotAvailable, []));
        var results = new List<(LeavingMember, ErrorCode)>();
        foreach (var leaving in leave.Members)
        {
            if (leaving.MemberId != "" && IsFencedBy(leaving.MemberId, leaving.GroupInstanceId))
            {
                results.Add((leaving, ErrorCode.FencedInstanceId));
                continue;
            }
            var member = leaving.MemberId != "" ? _state.Members.GetValueOrDefault(leaving.MemberId)
                : leaving.GroupInstanceId is { } instance ? FindByInstance(instance) : null;
            if (member is null)
            {
                bool pending = _state.PendingMembers.ContainsKey(leaving.MemberId);
                if (pending)
                    _state = _state with { PendingMembers = _state.PendingMembers.Remove(leaving.MemberId) };
                results.Add((leaving, pending ? ErrorCode.None : ErrorCode.UnknownMemberId));
                continue;
            }
            if (IsFenced(member, leaving.GroupInstanceId))
            {
                results.Add((leaving, ErrorCode.FencedInstanceId));
                continue;
            }
            RemoveMember(member);
            results.Add((leaving, ErrorCode.None));
        }
        AfterMembersRemoved();
        // A pending member leaving may be the last one the join barrier waited for.
        TryCompleteJoin();
        var topError = leave.Members.Count == 1 ? results[0].Item2 : ErrorCode.None;
        return Done(new LeaveGroupResult(topError, results));
    }

    private readonly List<string> _removed = new();

    private void RemoveMember(GroupMember member)
    {
        if (member.AwaitingJoin)
            _parked.Add(new ParkedReply(member.MemberId, JoinGroupResult.Failed(ErrorCode.UnknownMemberId, member.MemberId)));
        if (member.AwaitingSync)
            _parked.Add(new ParkedReply(member.MemberId, SyncGroupResult.Failed(ErrorCode.UnknownMemberId)));
        _state = _state with { Members = _state.Members.Remove(member.MemberId) };
        _removed.Add(member.MemberId);
    }

    /// <summary>After members left or expired: rebalance the rest, or become Empty when none are left.</summary>
    private void AfterMembersRemoved()
    {
        if (_removed.Count == 0)
            return;
        switch (_state.Phase)
        {
            case GroupPhase.PreparingRebalance:
                TryCompleteJoin();
                break;
            case GroupPhase.Stable or GroupPhase.CompletingRebalance when _state.Members.IsEmpty:
                Persist(new GroupEmptied(_state.GenerationId));
                break;
            case GroupPhase.Stable or GroupPhase.CompletingRebalance:
                PrepareRebalance();
                TryCompleteJoin();
                break;
        }
    }

    // ---- Offsets ---------------------------------------------------------------------------------------------

    public GroupOutcome Commit(CommitOffsets commit)
    {
        CommitOffsetsResult FailAll(ErrorCode error) => new(error, commit.Offsets.Select(o => (o.Partition, error)).ToList());

        if (_state.Phase == GroupPhase.Dead)
            return Done(FailAll(ErrorCode.CoordinatorNotAvailable));
        if (IsFencedBy(commit.MemberId, commit.GroupInstanceId))
            return Done(FailAll(ErrorCode.FencedInstanceId));
        bool simpleCommit = commit.GenerationId < 0 && commit.MemberId == "" && _state.Phase == GroupPhase.Empty;
        if (!simpleCommit)
        {
            if (!_state.Members.TryGetValue(commit.MemberId, out var member))
                // An unknown group with a generation: a request from an older generation (Kafka's ILLEGAL_GENERATION).
                return Done(FailAll(!_state.Exists && commit.GenerationId >= 0 ? ErrorCode.IllegalGeneration : ErrorCode.UnknownMemberId));
            if (IsFenced(member, commit.GroupInstanceId))
                return Done(FailAll(ErrorCode.FencedInstanceId));
            if (commit.GenerationId != _state.GenerationId)
                return Done(FailAll(ErrorCode.IllegalGeneration));
            if (_state.Phase == GroupPhase.CompletingRebalance)
                return Done(FailAll(ErrorCode.RebalanceInProgress));
            SetMember(member with { LastHeartbeatMs = nowMs });
        }

        var results = new List<(TopicPartition, ErrorCode)>();
        var accepted = new List<PartitionOffset>();
        foreach (var offset in commit.Offsets)
        {
            if (offset.Metadata is { Length: var length } && length > settings.MaxMetadataBytes)
            {
                results.Add((offset.Partition, ErrorCode.OffsetMetadataTooLarge));
                continue;
            }
            accepted.Add(new PartitionOffset(offset.Partition, new CommittedOffset(offset.Offset, offset.LeaderEpoch, offset.Metadata, nowMs)));
            results.Add((offset.Partition, ErrorCode.None));
        }
        if (accepted.Count > 0)
            Persist(new OffsetsCommitted(accepted));
        return Done(new CommitOffsetsResult(ErrorCode.None, results));
    }

    public GroupOutcome DeleteOffsets(DeleteOffsets delete)
    {
        if (!_state.Exists)
            return Done(new DeleteOffsetsResult(ErrorCode.GroupIdNotFound, []));
        // Only a "consumer" group's subscriptions can be read; any other group must be empty.
        if (_state.Members.Values.FirstOrDefault() is { ProtocolType: not "consumer" })
            return Done(new DeleteOffsetsResult(ErrorCode.NonEmptyGroup, []));
        var subscribed = _state.Phase == GroupPhase.Empty ? [] : _state.SubscribedTopics().ToHashSet();
        var results = delete.Partitions.Select(p => (p, subscribed.Contains(p.Topic) ? ErrorCode.GroupSubscribedToTopic : ErrorCode.None)).ToList();
        var deletable = results.Where(r => r.Item2 == ErrorCode.None && _state.Offsets.ContainsKey(r.p)).Select(r => r.p).ToList();
        if (deletable.Count > 0)
            Persist(new OffsetsDeleted(deletable));
        return Done(new DeleteOffsetsResult(ErrorCode.None, results));
    }

    public GroupOutcome Delete()
    {
        if (!_state.Exists)
            return Done(new DeleteGroupResult(ErrorCode.GroupIdNotFound));
        if (_state.Phase != GroupPhase.Empty)
            return Done(new DeleteGroupResult(ErrorCode.NonEmptyGroup));
        Persist(new GroupDeleted(_state.GroupId));
        return Done(new DeleteGroupResult(ErrorCode.None));
    }

    // ---- Time ------------------------------------------------------------------------------------------------

    public GroupOutcome Tick()
    {
        var expiredPending = _state.PendingMembers.Where(p => p.Value <= nowMs).Select(p => p.Key).ToList();
        if (expiredPending.Count > 0)
            _state = _state with { PendingMembers = _state.PendingMembers.RemoveRange(expiredPending) };

        foreach (var member in _state.Members.Values.Where(m => !m.IsAlive(nowMs)).ToList())
            RemoveMember(member);
        AfterMembersRemoved();

        if (_state.Phase == GroupPhase.PreparingRebalance)
            TryCompleteJoin();
        else if (_state.Phase == GroupPhase.CompletingRebalance && nowMs >= _state.PhaseDeadlineMs)
        {
            // The leader never sent its assignment (or members never synced): drop those who did not, and retry.
            foreach (var member in _state.Members.Values.Where(m => !m.Synced).ToList())
                RemoveMember(member);
            if (_state.Members.IsEmpty)
                Persist(new GroupEmptied(_state.GenerationId));
            else
            {
                PrepareRebalance();
                TryCompleteJoin();
            }
        }

        if (_state.Phase == GroupPhase.Empty && !_state.Offsets.IsEmpty)
        {
            long retention = (long)settings.OffsetsRetention.TotalMilliseconds;
            var expired = _state.Offsets
                .Where(o => Math.Max(o.Value.CommitTimestampMs, _state.EmptySinceMs) + retention <= nowMs)
                .Select(o => o.Key).ToList();
            if (expired.Count > 0)
                Persist(new OffsetsDeleted(expired));
        }
        return Done(null);
    }
}
