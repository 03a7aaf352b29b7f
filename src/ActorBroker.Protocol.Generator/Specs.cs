using System.Text.Json;

namespace ActorBroker.Protocol.Generator;

/// <summary>A version range from the specs: "0+", "3-7", "5", or "none" (empty).</summary>
public readonly record struct Versions(short Lowest, short Highest)
{
    public static readonly Versions None = new(1, 0);
    public const short Open = short.MaxValue;

    public bool IsEmpty => Lowest > Highest;

    public static Versions Parse(string? text)
    {
        if (text is null || text == "none" || text.Length == 0)
            return None;
        if (text.EndsWith('+'))
            return new(short.Parse(text[..^1]), Open);
        int dash = text.IndexOf('-');
        if (dash > 0)
            return new(short.Parse(text[..dash]), short.Parse(text[(dash + 1)..]));
        short v = short.Parse(text);
        return new(v, v);
    }

    public Versions Intersect(Versions other) =>
        new(Math.Max(Lowest, other.Lowest), Math.Min(Highest, other.Highest));

    public bool Contains(Versions other) => other.IsEmpty || (other.Lowest >= Lowest && other.Highest <= Highest);

    public bool Contains(short v) => v >= Lowest && v <= Highest;

    /// <summary>A C# condition on <c>version</c> true exactly for this range within <paramref name="scope"/>.</summary>
    public string Condition(Versions scope)
    {
        var r = Intersect(scope);
        if (r.IsEmpty)
            return "false";
        bool low = r.Lowest > scope.Lowest;
        bool high = r.Highest < scope.Highest;
        if (!low && !high)
            return "true";
        if (low && high)
            return r.Lowest == r.Highest ? $"version == {r.Lowest}" : $"version >= {r.Lowest} && version <= {r.Highest}";
        return low ? $"version >= {r.Lowest}" : $"version <= {r.Highest}";
    }

    public override string ToString() => IsEmpty ? "none" : Highest == Open ? $"{Lowest}+" : Lowest == Highest ? $"{Lowest}" : $"{Lowest}-{Highest}";
}

public sealed class FieldSpec
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public Versions Versions { get; init; }
    public Versions NullableVersions { get; init; }
    public Versions TaggedVersions { get; init; }
    public int? Tag { get; init; }
    public string? Default { get; init; }
    public string? About { get; init; }
    public Versions? FlexibleVersions { get; init; }
    public List<FieldSpec>? Fields { get; init; }

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);
    public string ElementType => IsArray ? Type[2..] : Type;
    public bool IsNullable => !NullableVersions.IsEmpty;
    public bool IsTagged => Tag is not null;

    public static FieldSpec Parse(JsonElement e) => new()
    {
        Name = e.GetProperty("name").GetString()!,
        Type = e.GetProperty("type").GetString()!,
        Versions = Versions.Parse(e.GetProperty("versions").GetString()),
        NullableVersions = Versions.Parse(Str(e, "nullableVersions")),
        TaggedVersions = Versions.Parse(Str(e, "taggedVersions")),
        Tag = e.TryGetProperty("tag", out var t) ? (t.ValueKind == JsonValueKind.String ? int.Parse(t.GetString()!) : t.GetInt32()) : null,
        Default = e.TryGetProperty("default", out var d) ? (d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText()) : null,
        About = Str(e, "about"),
        FlexibleVersions = Str(e, "flexibleVersions") is { } fv ? Versions.Parse(fv) : null,
        Fields = e.TryGetProperty("fields", out var f) ? f.EnumerateArray().Select(Parse).ToList() : null,
    };

    internal static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) ? (p.ValueKind == JsonValueKind.String ? p.GetString() : p.GetRawText()) : null;
}

public sealed class StructSpec
{
    public required string Name { get; init; }
    public required List<FieldSpec> Fields { get; init; }
    public Versions Versions { get; init; }
}

public sealed class MessageSpec
{
    public required string FileName { get; init; }
    public required string Name { get; init; }
    public required string Kind { get; init; } // request | response
    public short ApiKey { get; init; }
    public Versions ValidVersions { get; init; }
    public Versions FlexibleVersions { get; init; }
    public bool LatestVersionUnstable { get; init; }
    public required List<FieldSpec> Fields { get; init; }
    public required List<StructSpec> CommonStructs { get; init; }

    public static MessageSpec? Load(string path)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        using var doc = JsonDocument.Parse(File.ReadAllText(path), options);
        var root = doc.RootElement;
        string kind = root.GetProperty("type").GetString()!;
        if (kind != "request" && kind != "response")
            return null;
        return new MessageSpec
        {
            FileName = Path.GetFileName(path),
            Name = root.GetProperty("name").GetString()!,
            Kind = kind,
            ApiKey = root.GetProperty("apiKey").GetInt16(),
            ValidVersions = Versions.Parse(root.GetProperty("validVersions").GetString()),
            FlexibleVersions = Versions.Parse(FieldSpec.Str(root, "flexibleVersions")),
            LatestVersionUnstable = root.TryGetProperty("latestVersionUnstable", out var u) && u.ValueKind == JsonValueKind.True,
            Fields = root.GetProperty("fields").EnumerateArray().Select(FieldSpec.Parse).ToList(),
            CommonStructs = root.TryGetProperty("commonStructs", out var cs)
                ? cs.EnumerateArray().Select(s => new StructSpec
                {
                    Name = s.GetProperty("name").GetString()!,
                    Versions = Versions.Parse(s.GetProperty("versions").GetString()),
                    Fields = s.GetProperty("fields").EnumerateArray().Select(FieldSpec.Parse).ToList(),
                }).ToList()
                : new List<StructSpec>(),
        };
    }
}
