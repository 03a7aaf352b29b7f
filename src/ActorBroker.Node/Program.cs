using ActorBroker.Node;
using ActorBroker.Node.Admin;
using ActorBroker.Node.Commands;

const string Usage = """
    actorbroker: a Kafka-compatible message broker on an Akka.NET cluster

    Usage:
      actorbroker run [options]                      start a node
      actorbroker topics create NAME [options]       create a topic (--partitions N, --config k=v ...)
      actorbroker topics list                        list topics
      actorbroker topics describe NAME               partitions, leaders, offsets and configs of a topic
      actorbroker topics delete NAME                 delete a topic
      actorbroker produce TOPIC [options]            send stdin to a topic, one record per line
      actorbroker consume TOPIC [options]            print a partition's records, one per line
      actorbroker groups list                        list consumer groups with protocol type and state
      actorbroker groups describe GROUP              members, assignments, committed offsets and lag of a group
      actorbroker groups reset-offsets GROUP ...     set an empty group's offsets (--topic T --to-earliest ...)
      actorbroker groups delete GROUP                delete a group and its committed offsets
      actorbroker cluster status                     members, their state, and the partitions each leads and follows
      actorbroker partitions reassign --topic T ...  move replicas (--replicas 2,3,4, or --rebalance [--execute])
      actorbroker partitions reassignments           list the reassignments in progress
      actorbroker --help                             this text

    Run 'actorbroker <command> --help' for a command's options. The admin commands (topics, produce, consume,
    groups, cluster, partitions) talk Kafka protocol to a running node given by --bootstrap HOST:PORT, default 127.0.0.1:9092.
    Exit codes: 0 done, 1 the broker refused or could not be reached, 2 usage error.

    Kafka clients (kafka-python, librdkafka/kcat, Confluent.Kafka, kafkajs) connect to the node's Kafka listener,
    127.0.0.1:9092 unless --kafka-listen says otherwise.
    """;

try
{
    if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
    {
        Console.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }
    var rest = args.Skip(1).ToArray();
    bool wantsHelp = rest.Contains("--help") || rest.Contains("-h");
    switch (args[0])
    {
        case "run":
            if (wantsHelp)
            {
                Console.WriteLine(RunCommand.Help);
                return 0;
            }
            return await RunCommand.RunAsync(CommandLine.Parse(rest, RunOptions.ValueOptions, []));
        case "topics":
            return await TopicsCommand.RunAsync(rest, CancellationToken.None);
        case "groups":
            return await GroupsCommand.RunAsync(rest, CancellationToken.None);
        case "cluster":
            return await ClusterCommand.RunAsync(rest, CancellationToken.None);
        case "partitions":
            return await PartitionsCommand.RunAsync(rest, CancellationToken.None);
        case "produce":
            if (wantsHelp)
            {
                Console.WriteLine(ProduceCommand.Help);
                return 0;
            }
            return await ProduceCommand.RunAsync(CommandLine.Parse(rest, ProduceCommand.ValueOptions, []), CancellationToken.None);
        case "consume":
            if (wantsHelp)
            {
                Console.WriteLine(ConsumeCommand.Help);
                return 0;
            }
            return await ConsumeCommand.RunAsync(CommandLine.Parse(rest, ConsumeCommand.ValueOptions, ConsumeCommand.FlagOptions), CancellationToken.None);
        default:
            throw new UsageException($"Unknown command '{args[0]}'.");
    }
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"actorbroker: {ex.Message} Run '{HelpCommand(args)}' for usage.");
    return 2;
}
catch (CommandFailedException ex)
{
    Console.Error.WriteLine($"actorbroker: {ex.Message}");
    return ex.ExitCode;
}

// The --help that explains the command the user got wrong.
static string HelpCommand(string[] args) => args switch
{
    ["topics", "create" or "list" or "describe" or "delete", ..] => $"actorbroker topics {args[1]} --help",
    ["topics", ..] => "actorbroker topics --help",
    ["groups", "list" or "describe" or "reset-offsets" or "delete", ..] => $"actorbroker groups {args[1]} --help",
    ["groups", ..] => "actorbroker groups --help",
    ["cluster", ..] => "actorbroker cluster --help",
    ["partitions", "reassign" or "reassignments", ..] => $"actorbroker partitions {args[1]} --help",
    ["partitions", ..] => "actorbroker partitions --help",
    ["run" or "produce" or "consume", ..] => $"actorbroker {args[0]} --help",
    _ => "actorbroker --help",
};
