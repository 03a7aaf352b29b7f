using ActorBroker.Protocol.Records;
using ActorBroker.Storage;

namespace ActorBroker.Cluster.Topics;

/// <summary>The <see cref="LogConfig"/> a partition log of a topic is opened with (leader and followers alike).</summary>
public static class TopicLogConfig
{
    public static LogConfig For(TopicDescription topic, ActorBrokerSettings settings) =>
        For(TopicConfigs.Effective(topic, settings), settings);

    /// <param name="effective">Every topic config's effective value (<see cref="TopicConfigs.Effective"/>).</param>
    public static LogConfig For(IReadOnlyDictionary<string, string> effective, ActorBrokerSettings settings) => settings.Log with
    {
        SegmentBytes = int.Parse(effective[TopicConfigs.SegmentBytes]),
        SegmentIndexBytes = int.Parse(effective[TopicConfigs.SegmentIndexBytes]),
        IndexIntervalBytes = int.Parse(effective[TopicConfigs.IndexIntervalBytes]),
        SegmentMs = long.Parse(effective[TopicConfigs.SegmentMs]),
        TimestampType = effective[TopicConfigs.MessageTimestampType] == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    };
}
