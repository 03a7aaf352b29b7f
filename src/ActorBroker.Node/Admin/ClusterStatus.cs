using System.Globalization;
using System.Text;
using ActorBroker.Gateway.Handlers;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Node.Admin;

/// <summary>One member as <c>actorbroker cluster status</c> prints it.</summary>
public sealed record MemberRow(
    int NodeId,
    string Listener,
    string Status,
    bool Reachable,
    string Address,
    IReadOnlyList<string> Leads,
    IReadOnlyList<string> Follows);

/// <summary>
/// The cluster as the admin CLI reports it, built (as a pure function) from what one broker answered: Metadata gives
/// the live brokers, the controller and each partition's leader, replicas and in-sync replicas; DescribeConfigs
/// BROKER resources give each member's Akka status (<see cref="MemberConfigs"/>), including members Metadata leaves
/// out because they are no longer live brokers.
/// </summary>
public sealed record ClusterStatus(string ClusterId, int ControllerId, IReadOnlyList<MemberRow> Members)
{
    /// <summary>Followers outside the in-sync replica set are marked with this suffix.</summary>
    public const string OutOfSync = "*";

    public static ClusterStatus From(MetadataResponse metadata, IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>> memberConfigs)
    {
        var partitions = metadata.Topics
            .Where(t => t.Name is not null)
            .SelectMany(t => t.Partitions.Select(p => (Name: $"{t.Name}-{p.PartitionIndex}", Partition: p)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        var ids = metadata.Brokers.Select(b => b.NodeId).Union(memberConfigs.Keys).Order();
        var rows = ids.Select(id =>
        {
            var broker = metadata.Brokers.FirstOrDefault(b => b.NodeId == id);
            var configs = memberConfigs.GetValueOrDefault(id) ?? new Dictionary<string, string>();
            string listener = broker is not null ? $"{broker.Host}:{broker.Port}" : configs.GetValueOrDefault(MemberConfigs.Listener, "-");
            return new MemberRow(
                id,
                listener,
                configs.GetValueOrDefault(MemberConfigs.Status, broker is null ? "unknown" : "live"),
                configs.GetValueOrDefault(MemberConfigs.Reachable, "true") == "true",
                configs.GetValueOrDefault(MemberConfigs.Address, "-"),
                partitions.Where(p => p.Partition.LeaderId == id).Select(p => p.Name).ToList(),
                partitions
                    .Where(p => p.Partition.LeaderId != id && p.Partition.ReplicaNodes.Contains(id))
                    .Select(p => p.Partition.IsrNodes.Contains(id) ? p.Name : p.Name + OutOfSync)
                    .ToList());
        }).ToList();
        return new ClusterStatus(metadata.ClusterId ?? "-", metadata.ControllerId, rows);
    }

    /// <summary>The member states counted, e.g. "3 members: 2 Up, 1 Up (unreachable)".</summary>
    public string Summary =>
        $"{Members.Count} member(s): " + string.Join(", ", Members
            .GroupBy(m => m.Reachable ? m.Status : m.Status + " (unreachable)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key}"));

    public string Format(string answeredBy)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Cluster {ClusterId}, answered by {answeredBy}; controller (topic registry): node {ControllerId}");
        string[] header = ["NODE", "KAFKA", "STATUS", "REACHABLE", "AKKA", "LEADS", "FOLLOWS"];
        var lines = Members.Select(m => new[]
        {
            m.NodeId.ToString(CultureInfo.InvariantCulture), m.Listener, m.Status, m.Reachable ? "yes" : "no", m.Address,
            m.Leads.Count == 0 ? "-" : string.Join(",", m.Leads), m.Follows.Count == 0 ? "-" : string.Join(",", m.Follows),
        }).Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => lines.Max(l => l[c].Length)).ToArray();
        foreach (var line in lines)
            text.AppendLine(string.Join("  ", line.Select((cell, c) => c == line.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        text.AppendLine(Summary);
        if (Members.Any(m => m.Follows.Any(f => f.EndsWith(OutOfSync, StringComparison.Ordinal))))
            text.AppendLine($"{OutOfSync} follower not in the in-sync replica set");
        return text.ToString();
    }
}
