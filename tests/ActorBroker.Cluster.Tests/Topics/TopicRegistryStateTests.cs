using System.Collections.Immutable;
using Akka.Configuration;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Tests.Topics;

public class TopicRegistryStateTests
{
    private static readonly ActorBrokerSettings Settings = ActorBrokerSettings.Create(
        ConfigurationFactory.ParseString("actorbroker.default-partitions = 3").WithFallback(ActorBrokerConfig.Reference()));

    private static readonly ImmutableSortedDictionary<string, string> NoConfigs = ImmutableSortedDictionary<string, string>.Empty;

    private static Decision Decide(TopicRegistryState state, object command, ActorBrokerSettings? settings = null) =>
        state.Decide(command, settings ?? Settings, Guid.NewGuid);

    private static TopicRegistryState After(TopicRegistryState state, Decision decision) =>
        decision.Events.Aggregate(state, (s, e) => s.Apply(e));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("slash/topic")]
    [InlineData("ümlaut")]
    public void Create_rejects_illegal_topic_names_with_InvalidTopicException(string name)
    {
        var decision = Decide(TopicRegistryState.Empty, new CreateTopic(name, 1, 1, NoConfigs));
        Assert.Empty(decision.Events);
        Assert.Equal(ErrorCode.InvalidTopicException, ((CreateTopicResult)decision.Reply).Error);
    }

    [Fact]
    public void Create_rejects_a_name_longer_than_249_characters()
    {
        var decision = Decide(TopicRegistryState.Empty, new CreateTopic(new string('a', 250), 1, 1, NoConfigs));
        Assert.Equal(ErrorCode.InvalidTopicException, ((CreateTopicResult)decision.Reply).Error);
        Assert.Equal(ErrorCode.None, ((CreateTopicResult)Decide(TopicRegistryState.Empty, new CreateTopic(new string('a', 249), 1, 1, NoConfigs)).Reply).Error);
    }

    [Fact]
    public void Create_records_the_topic_and_uses_default_partitions_for_minus_one()
    {
        var decision = Decide(TopicRegistryState.Empty, new CreateTopic("orders", -1, -1, NoConfigs));
        var created = Assert.IsType<TopicCreated>(Assert.Single(decision.Events));
        Assert.Equal(3, created.Topic.PartitionCount);
        Assert.Equal(1, created.Topic.ReplicationFactor);
        Assert.True(After(TopicRegistryState.Empty, decision).Topics.ContainsKey("orders"));
    }

    [Fact]
    public void Create_of_an_existing_topic_answers_TopicAlreadyExists()
    {
        var state = After(TopicRegistryState.Empty, Decide(TopicRegistryState.Empty, new CreateTopic("orders", 2, 1, NoConfigs)));
        var decision = Decide(state, new CreateTopic("orders", 2, 1, NoConfigs));
        Assert.Empty(decision.Events);
        Assert.Equal(ErrorCode.TopicAlreadyExists, ((CreateTopicResult)decision.Reply).Error);
    }

    [Theory]
    [InlineData(0, 1, ErrorCode.InvalidPartitions)]
    [InlineData(-2, 1, ErrorCode.InvalidPartitions)]
    [InlineData(1, 0, ErrorCode.InvalidReplicationFactor)]
    [InlineData(1, 2, ErrorCode.InvalidReplicationFactor)]
    public void Create_rejects_impossible_partition_counts_and_replication_factors(int partitions, short replicationFactor, ErrorCode expected)
    {
        var decision = Decide(TopicRegistryState.Empty, new CreateTopic("t", partitions, replicationFactor, NoConfigs));
        Assert.Empty(decision.Events);
        Assert.Equal(expected, ((CreateTopicResult)decision.Reply).Error);
    }

    [Fact]
    public void Create_rejects_configs_the_broker_does_not_honour_with_InvalidConfig()
    {
        var configs = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["retention.ms.typo"] = "1" });
        var decision = Decide(TopicRegistryState.Empty, new CreateTopic("t", 1, 1, configs));
        Assert.Equal(ErrorCode.InvalidConfig, ((CreateTopicResult)decision.Reply).Error);
    }

    [Fact]
    public void Validate_only_creates_nothing()
    {
        var decision = Decide(TopicRegistryState.Empty, new CreateTopic("t", 1, 1, NoConfigs, ValidateOnly: true));
        Assert.Empty(decision.Events);
        Assert.Equal(ErrorCode.None, ((CreateTopicResult)decision.Reply).Error);
    }

    [Fact]
    public void Describe_creates_unknown_topics_only_when_asked_and_allowed()
    {
        var created = Decide(TopicRegistryState.Empty, new DescribeTopics(["new-topic"], AutoCreate: true));
        Assert.IsType<TopicCreated>(Assert.Single(created.Events));
        Assert.Equal(ErrorCode.None, ((DescribeTopicsResult)created.Reply).Topics.Single().Error);

        var notAsked = Decide(TopicRegistryState.Empty, new DescribeTopics(["new-topic"], AutoCreate: false));
        Assert.Empty(notAsked.Events);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ((DescribeTopicsResult)notAsked.Reply).Topics.Single().Error);

        var disallowed = Decide(TopicRegistryState.Empty, new DescribeTopics(["new-topic"], AutoCreate: true), Settings.WithAutoCreateTopics(false));
        Assert.Empty(disallowed.Events);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ((DescribeTopicsResult)disallowed.Reply).Topics.Single().Error);
    }

    [Fact]
    public void Describe_never_auto_creates_an_illegal_name()
    {
        var decision = Decide(TopicRegistryState.Empty, new DescribeTopics(["bad name"], AutoCreate: true));
        Assert.Empty(decision.Events);
        Assert.Equal(ErrorCode.InvalidTopicException, ((DescribeTopicsResult)decision.Reply).Topics.Single().Error);
    }

    [Fact]
    public void Delete_removes_the_topic_and_reports_its_partition_count()
    {
        var state = After(TopicRegistryState.Empty, Decide(TopicRegistryState.Empty, new CreateTopic("t", 4, 1, NoConfigs)));
        var decision = Decide(state, new DeleteTopic("t"));
        var deleted = Assert.IsType<TopicDeleted>(Assert.Single(decision.Events));
        Assert.Equal(4, deleted.PartitionCount);
        Assert.Empty(After(state, decision).Topics);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ((DeleteTopicResult)Decide(TopicRegistryState.Empty, new DeleteTopic("t")).Reply).Error);
    }
}
