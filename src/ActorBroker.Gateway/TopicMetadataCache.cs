using System.Collections.Concurrent;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

namespace ActorBroker.Gateway;

/// <summary>
/// Topics this gateway has recently seen, so Produce, Fetch and the other data-path requests do not ask the
/// topic registry singleton on every request. Entries live for a short time and are dropped when the gateway
/// deletes the topic or a partition answers UNKNOWN_TOPIC_OR_PARTITION; Metadata requests always ask the
/// registry and refresh the cache. A stale entry is harmless: partitions check their topic with the registry
/// when they start, so a produce to a deleted topic fails instead of re-creating it. Thread-safe.
/// </summary>
public sealed class TopicMetadataCache(TimeSpan timeToLive, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, (TopicDescription Topic, DateTimeOffset Expires)> _topics = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>All <paramref name="names"/> as lookups if every one is cached and fresh; otherwise null.</summary>
    public IReadOnlyDictionary<string, TopicLookup>? TryGetAll(IReadOnlyCollection<string> names)
    {
        var now = _time.GetUtcNow();
        var found = new Dictionary<string, TopicLookup>(names.Count, StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!_topics.TryGetValue(name, out var entry) || entry.Expires <= now)
                return null;
            found[name] = new TopicLookup(name, ErrorCode.None, entry.Topic);
        }
        return found;
    }

    /// <summary>Remembers the topics the registry knows and forgets the names it does not.</summary>
    public void Remember(IEnumerable<TopicLookup> lookups)
    {
        var expires = _time.GetUtcNow() + timeToLive;
        foreach (var lookup in lookups)
        {
            if (lookup.Topic is { } topic)
                _topics[lookup.Name] = (topic, expires);
            else
                _topics.TryRemove(lookup.Name, out _);
        }
    }

    public void Forget(string name) => _topics.TryRemove(name, out _);
}
