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
        state.Decide(command, settings ?? Settings, Guid.NewGuid, [1]);

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

    private static TopicRegistryState WithTopic(string name, params (string Key, string Value)[] configs)
    {
        var overrides = configs.ToImmutableSortedDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return After(TopicRegistryState.Empty, Decide(TopicRegistryState.Empty, new CreateTopic(name, 2, 1, overrides)));
    }

    private static IReadOnlyDictionary<string, string?> Configs(params (string Key, string? Value)[] configs) =>
        configs.ToDictionary(c => c.Key, c => c.Value);

    [Fact]
    public void Replace_makes_the_given_configs_the_whole_set_of_overrides()
    {
        var state = WithTopic("t", ("retention.ms", "1000"), ("max.message.bytes", "2048"));
        var id = state.Topics["t"].TopicId;

        var decision = Decide(state, new ReplaceTopicConfigs("t", Configs(("retention.bytes", "4096"))));

        var changed = Assert.IsType<TopicConfigsChanged>(Assert.Single(decision.Events));
        Assert.Equal(("t", id), (changed.Name, changed.TopicId));
        Assert.Equal([KeyValuePair.Create("retention.bytes", "4096")], changed.Configs);
        var reply = (AlterTopicConfigsResult)decision.Reply;
        Assert.Equal(ErrorCode.None, reply.Error);
        Assert.Equal(changed.Configs, reply.Topic!.Configs);
        Assert.Equal(changed.Configs, After(state, decision).Topics["t"].Configs);

        var cleared = Decide(state, new ReplaceTopicConfigs("t", Configs()));
        Assert.Empty(After(state, cleared).Topics["t"].Configs);
    }

    [Fact]
    public void Incremental_set_and_delete_touch_only_the_named_configs()
    {
        var state = WithTopic("t", ("retention.ms", "1000"), ("max.message.bytes", "2048"));

        var decision = Decide(state, new AlterTopicConfigs("t",
        [
            new ConfigAlteration("retention.ms", ConfigOperation.Set, "5000"),
            new ConfigAlteration("max.message.bytes", ConfigOperation.Delete, null),
            new ConfigAlteration("retention.bytes", ConfigOperation.Delete, null), // not overridden: no-op
            new ConfigAlteration("segment.bytes", ConfigOperation.Set, "65536"),
        ]));

        Assert.Equal(ErrorCode.None, ((AlterTopicConfigsResult)decision.Reply).Error);
        Assert.Equal(
            [KeyValuePair.Create("retention.ms", "5000"), KeyValuePair.Create("segment.bytes", "65536")],
            After(state, decision).Topics["t"].Configs.OrderBy(c => c.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Append_and_subtract_apply_only_to_list_configs()
    {
        var state = WithTopic("t");

        var onScalar = Decide(state, new AlterTopicConfigs("t", [new ConfigAlteration("retention.ms", ConfigOperation.Append, "5")]));
        Assert.Empty(onScalar.Events);
        Assert.Equal(ErrorCode.InvalidConfig, ((AlterTopicConfigsResult)onScalar.Reply).Error);

        var appendDelete = Decide(state, new AlterTopicConfigs("t", [new ConfigAlteration("cleanup.policy", ConfigOperation.Append, "delete")]));
        Assert.Equal(ErrorCode.None, ((AlterTopicConfigsResult)appendDelete.Reply).Error);
        Assert.Equal("delete", After(state, appendDelete).Topics["t"].Configs["cleanup.policy"]);

        var appendCompact = Decide(state, new AlterTopicConfigs("t", [new ConfigAlteration("cleanup.policy", ConfigOperation.Append, "compact")]));
        Assert.Equal(ErrorCode.None, ((AlterTopicConfigsResult)appendCompact.Reply).Error);
        Assert.Equal("delete,compact", After(state, appendCompact).Topics["t"].Configs["cleanup.policy"]);

        var subtractAll = Decide(state, new AlterTopicConfigs("t", [new ConfigAlteration("cleanup.policy", ConfigOperation.Subtract, "delete")]));
        Assert.Equal(ErrorCode.InvalidConfig, ((AlterTopicConfigsResult)subtractAll.Reply).Error);
    }

    [Fact]
    public void Invalid_values_and_unknown_configs_answer_InvalidConfig_and_change_nothing()
    {
        var state = WithTopic("t", ("retention.ms", "1000"));
        object[] commands =
        [
            new ReplaceTopicConfigs("t", Configs(("retention.ms", "soon"))),
            new ReplaceTopicConfigs("t", Configs(("no.such.config", "1"))),
            new AlterTopicConfigs("t", [new ConfigAlteration("max.message.bytes", ConfigOperation.Set, "0")]),
            new AlterTopicConfigs("t", [new ConfigAlteration("no.such.config", ConfigOperation.Set, "1")]),
            new AlterTopicConfigs("t", [new ConfigAlteration("no.such.config", ConfigOperation.Delete, null)]),
            new AlterTopicConfigs("t", [new ConfigAlteration("retention.ms", ConfigOperation.Set, null)]),
        ];
        foreach (var command in commands)
        {
            var decision = Decide(state, command);
            Assert.Empty(decision.Events);
            Assert.Equal(ErrorCode.InvalidConfig, ((AlterTopicConfigsResult)decision.Reply).Error);
        }
    }

    [Fact]
    public void Null_values_duplicate_keys_and_unknown_operations_are_invalid_requests()
    {
        var state = WithTopic("t");
        object[] commands =
        [
            new ReplaceTopicConfigs("t", Configs(("retention.ms", null))),
            new AlterTopicConfigs("t",
            [
                new ConfigAlteration("retention.ms", ConfigOperation.Set, "1"),
                new ConfigAlteration("retention.ms", ConfigOperation.Delete, null),
            ]),
            new AlterTopicConfigs("t", [new ConfigAlteration("retention.ms", (ConfigOperation)9, "1")]),
        ];
        foreach (var command in commands)
            Assert.Equal(ErrorCode.InvalidRequest, ((AlterTopicConfigsResult)Decide(state, command).Reply).Error);
    }

    [Fact]
    public void Altering_an_unknown_topic_answers_UnknownTopicOrPartition()
    {
        Assert.Equal(ErrorCode.UnknownTopicOrPartition,
            ((AlterTopicConfigsResult)Decide(TopicRegistryState.Empty, new ReplaceTopicConfigs("nope", Configs())).Reply).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition,
            ((AlterTopicConfigsResult)Decide(TopicRegistryState.Empty, new AlterTopicConfigs("nope", [])).Reply).Error);
    }

    [Fact]
    public void Validate_only_and_unchanged_configs_persist_nothing()
    {
        var state = WithTopic("t", ("retention.ms", "1000"));

        var validateOnly = Decide(state, new AlterTopicConfigs("t", [new ConfigAlteration("retention.ms", ConfigOperation.Set, "5")], ValidateOnly: true));
        Assert.Empty(validateOnly.Events);
        var reply = (AlterTopicConfigsResult)validateOnly.Reply;
        Assert.Equal(ErrorCode.None, reply.Error);
        Assert.Equal("5", reply.Topic!.Configs["retention.ms"]);

        var unchanged = Decide(state, new ReplaceTopicConfigs("t", Configs(("retention.ms", "1000"))));
        Assert.Empty(unchanged.Events);
        Assert.Equal(ErrorCode.None, ((AlterTopicConfigsResult)unchanged.Reply).Error);
    }

    [Fact]
    public void A_config_change_for_an_earlier_topic_of_the_same_name_is_ignored()
    {
        var state = WithTopic("t");
        var stale = new TopicConfigsChanged("t", Guid.NewGuid(), ImmutableSortedDictionary<string, string>.Empty.Add("retention.ms", "1"));
        Assert.Empty(state.Apply(stale).Topics["t"].Configs);
    }

    [Fact]
    public void AlterIsr_refuses_to_add_a_replica_whose_broker_is_not_Up_and_accepts_shrinking_and_adding_Up_ones()
    {
        int[] all = [1, 2, 3];
        var state = After(TopicRegistryState.Empty, TopicRegistryState.Empty.Decide(new CreateTopic("orders", 1, 3, NoConfigs), Settings, Guid.NewGuid, all));
        var assignment = state.Topics["orders"].Assignments[0];
        var partition = new TopicPartition("orders", 0);
        int leader = assignment.Leader;
        var (down, up) = (assignment.Replicas[1], assignment.Replicas[2]);
        Decision Alter(TopicRegistryState s, int[] isr, int[] brokers) =>
            s.Decide(new AlterIsr(partition, leader, assignment.LeaderEpoch, [.. isr]), Settings, Guid.NewGuid, brokers);

        var shrink = Alter(state, [leader], all);
        Assert.Equal(ErrorCode.None, ((AlterIsrResult)shrink.Reply).Error);
        state = After(state, shrink);

        var refused = Alter(state, [leader, down], [leader, up]);
        Assert.Equal(ErrorCode.IneligibleReplica, ((AlterIsrResult)refused.Reply).Error);
        Assert.Empty(refused.Events);

        var accepted = Alter(state, [leader, up], [leader, up]);
        Assert.Equal(ErrorCode.None, ((AlterIsrResult)accepted.Reply).Error);
        Assert.Equal([leader, up], After(state, accepted).Topics["orders"].Assignments[0].Isr.ToArray());
    }
}
