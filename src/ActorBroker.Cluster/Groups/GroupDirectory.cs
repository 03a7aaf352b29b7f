using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace ActorBroker.Cluster.Groups;

/// <summary>Wakes a group's coordinator without asking it anything (used to bring persisted groups back at start).</summary>
public sealed record WakeGroup(string GroupId) : IGroupCommand;

/// <summary>
/// Which groups exist. Group coordinators are never passivated, so the running entities of the "group" region are
/// the groups in use; at start-up every group with a journal is woken, so groups that only hold offsets are listed
/// (and keep expiring their offsets) after a restart too.
/// </summary>
public static class GroupDirectory
{
    private const string PersistenceIdPrefix = "group-";

    public static async Task<IReadOnlyList<string>> RunningGroupIdsAsync(IActorRef groupsRegion, TimeSpan timeout)
    {
        var state = await groupsRegion.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout).ConfigureAwait(false);
        return state.Shards.SelectMany(s => s.EntityIds).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Wakes the coordinator of every group that has persisted events; returns how many.</summary>
    public static async Task<int> WakePersistedGroupsAsync(ActorSystem system, IActorRef groupsRegion)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var ids = await journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith(PersistenceIdPrefix, StringComparison.Ordinal))
            .RunWith(Sink.Seq<string>(), system.Materializer())
            .ConfigureAwait(false);
        foreach (var id in ids)
            groupsRegion.Tell(new WakeGroup(id[PersistenceIdPrefix.Length..]));
        return ids.Count;
    }
}
