using System.Collections.Concurrent;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

namespace ActorBroker.Client;

/// <summary>
/// Topic descriptions (partition counts) the client looked up recently, so producing does not ask the registry
/// singleton per record. Entries live a few seconds and are dropped when a partition answers
/// UNKNOWN_TOPIC_OR_PARTITION. Thread-safe.
/// </summary>
internal sealed class TopicCache(ActorBrokerClient client)
{
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (TopicDescription Topic, DateTime Expires)> _topics = new(StringComparer.Ordinal);

    /// <summary>The topic, from the cache or the registry (which creates it when <paramref name="autoCreate"/> and the brokers allow it).</summary>
    public ValueTask<TopicDescription> GetAsync(string topic, bool autoCreate, CancellationToken cancellationToken) =>
        _topics.TryGetValue(topic, out var entry) && entry.Expires > DateTime.UtcNow
            ? ValueTask.FromResult(entry.Topic)
            : new ValueTask<TopicDescription>(LookUpAsync(topic, autoCreate, cancellationToken));

    public void Forget(string topic) => _topics.TryRemove(topic, out _);

    /// <summary>Asks the registry (never the cache) and refreshes the cache with what it knows.</summary>
    public async Task<IReadOnlyList<TopicLookup>> DescribeAsync(IReadOnlyList<string>? names, bool autoCreate, CancellationToken cancellationToken)
    {
        var result = await client.AskAsync<DescribeTopicsResult>(c => c.Topics, new DescribeTopics(names, autoCreate), cancellationToken).ConfigureAwait(false);
        foreach (var lookup in result.Topics)
        {
            if (lookup.Topic is { } found)
                _topics[lookup.Name] = (found, DateTime.UtcNow + TimeToLive);
            else
                _topics.TryRemove(lookup.Name, out _);
        }
        return result.Topics;
    }

    private async Task<TopicDescription> LookUpAsync(string topic, bool autoCreate, CancellationToken cancellationToken)
    {
        var lookup = (await DescribeAsync([topic], autoCreate, cancellationToken).ConfigureAwait(false)).Single();
        return lookup.Topic ?? throw new ActorBrokerException(
            lookup.Error == ErrorCode.None ? ErrorCode.UnknownTopicOrPartition : lookup.Error, $"Topic '{topic}' is not known to the brokers.");
    }
}
