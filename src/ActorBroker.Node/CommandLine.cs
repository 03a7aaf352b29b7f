namespace ActorBroker.Node;

/// <summary>
/// A small, strict parser for <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options. Repeatable options
/// keep every value; an option the command does not know is an error that names it.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positional { get; }

    private CommandLine(List<string> positional) => Positional = positional;

    /// <param name="valueOptions">Options that take a value, without the leading dashes.</param>
    /// <param name="flagOptions">Options that take none.</param>
    public static CommandLine Parse(IEnumerable<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flagOptions)
    {
        var positional = new List<string>();
        var line = new CommandLine(positional);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }
            if (flagOptions.Contains(name) && inline is null)
            {
                line._flags.Add(name);
                continue;
            }
            if (!valueOptions.Contains(name))
                throw new UsageException($"Unknown option --{name}.");
            if (inline is null)
            {
                if (!e.MoveNext())
                    throw new UsageException($"Option --{name} needs a value.");
                inline = e.Current;
            }
            if (!line._values.TryGetValue(name, out var list))
                line._values[name] = list = new List<string>();
            list.Add(inline);
        }
        return line;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public int? Int(string name)
    {
        string? value = Value(name);
        if (value is null)
            return null;
        return int.TryParse(value, out int number) ? number : throw new UsageException($"--{name} must be a whole number, but is '{value}'.");
    }
}

/// <summary>A mistake in how the command was called; its message is shown with a pointer to --help.</summary>
public sealed class UsageException(string message) : Exception(message);
