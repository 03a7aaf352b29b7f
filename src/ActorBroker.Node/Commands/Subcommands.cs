namespace ActorBroker.Node.Commands;

/// <summary>One subcommand of a command group (`topics create`, `groups list`, ...): its name, its help text, the
/// options it accepts and what it does with the parsed command line.</summary>
public sealed record Subcommand(
    string Name,
    string Help,
    IReadOnlyCollection<string> ValueOptions,
    IReadOnlyCollection<string> FlagOptions,
    Func<CommandLine, CancellationToken, Task<int>> RunAsync);

/// <summary>Runs the subcommand a command group's arguments name, the same way for every group.</summary>
public static class Subcommands
{
    /// <summary>
    /// No arguments prints the group's help and exits 2 (a usage mistake); `--help`, `-h` or `help` prints it and
    /// exits 0; `SUBCOMMAND --help` prints the subcommand's help; an unknown subcommand is a usage error naming the
    /// known ones.
    /// </summary>
    public static async Task<int> RunAsync(string group, string groupHelp, IReadOnlyList<Subcommand> subcommands, string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            Console.WriteLine(groupHelp);
            return args.Length == 0 ? 2 : 0;
        }
        var subcommand = subcommands.FirstOrDefault(s => s.Name == args[0])
            ?? throw new UsageException($"Unknown {group} command '{args[0]}'; use {Alternatives(subcommands.Select(s => s.Name).ToList())}.");
        var rest = args[1..];
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            Console.WriteLine(subcommand.Help);
            return 0;
        }
        var line = CommandLine.Parse(rest, subcommand.ValueOptions, subcommand.FlagOptions);
        return await subcommand.RunAsync(line, cancellationToken).ConfigureAwait(false);
    }

    private static string Alternatives(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";
}
