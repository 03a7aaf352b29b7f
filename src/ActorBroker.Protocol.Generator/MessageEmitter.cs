using System.Globalization;
using System.Text;

namespace ActorBroker.Protocol.Generator;

/// <summary>Writes one <c>&lt;Name&gt;.g.cs</c> for a request or response spec.</summary>
public sealed class MessageEmitter
{
    private static readonly HashSet<string> Primitives = new(StringComparer.Ordinal)
    {
        "int8", "int16", "int32", "int64", "uint16", "uint32", "float64", "bool", "uuid", "string", "bytes", "records",
    };

    private static readonly HashSet<string> TopLevelMembers = new(StringComparer.Ordinal)
    {
        "Key", "LowestSupportedVersion", "HighestSupportedVersion", "LatestVersionUnstable", "IsFlexible", "Read", "Write",
    };

    private readonly MessageSpec _m;
    private readonly Versions _scope;
    private readonly List<StructSpec> _structs = new();
    private readonly HashSet<string> _structNames = new(StringComparer.Ordinal);
    private readonly StringBuilder _sb = new();
    private int _indent;
    public List<string> Renames { get; } = new();

    public MessageEmitter(MessageSpec message)
    {
        _m = message;
        _scope = message.ValidVersions;
        foreach (var common in message.CommonStructs)
            _structNames.Add(common.Name);
        CollectStructs(message.Fields);
        foreach (var common in message.CommonStructs)
        {
            _structs.Add(common);
            CollectStructs(common.Fields);
        }
    }

    private void CollectStructs(List<FieldSpec> fields)
    {
        foreach (var f in fields)
        {
            if (f.Fields is null)
                continue;
            if (_structNames.Add(f.ElementType))
                _structs.Add(new StructSpec { Name = f.ElementType, Fields = f.Fields, Versions = f.Versions });
            CollectStructs(f.Fields);
        }
    }

    private bool IsStruct(FieldSpec f) => !Primitives.Contains(f.ElementType);

    private string Qualified(string structName) => $"global::ActorBroker.Protocol.Messages.{_m.Name}.{structName}";

    private string PropertyName(FieldSpec f, string owner, bool topLevel)
    {
        bool clash = f.Name == owner || (topLevel && (TopLevelMembers.Contains(f.Name) || _structNames.Contains(f.Name)))
            || f.Name is "IsDefaultValue" or "GetType" or "ToString" or "Equals" or "GetHashCode";
        if (!clash)
            return f.Name;
        Renames.Add($"{owner}.{f.Name} -> {f.Name}Value");
        return f.Name + "Value";
    }

    // ---- output helpers ------------------------------------------------------------------------

    private void Line(string text = "")
    {
        if (text.Length == 0)
        {
            _sb.Append('\n');
            return;
        }
        _sb.Append(' ', _indent * 4).Append(text).Append('\n');
    }

    private void Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
    }

    private void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    /// <summary>Emits <paramref name="body"/> guarded by <paramref name="condition"/>; nothing when it is "false".</summary>
    private void Guarded(string condition, Action body)
    {
        if (condition == "false")
            return;
        if (condition == "true")
        {
            body();
            return;
        }
        Open($"if ({condition})");
        body();
        Close();
    }

    private static string Xml(string? s) =>
        (s ?? "").Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\n", " ").Replace("\r", "");

    private static string Literal(string s) =>
        "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    // ---- types and defaults --------------------------------------------------------------------

    private static string PrimitiveType(string t) => t switch
    {
        "int8" => "sbyte",
        "int16" => "short",
        "int32" => "int",
        "int64" => "long",
        "uint16" => "ushort",
        "uint32" => "uint",
        "float64" => "double",
        "bool" => "bool",
        "uuid" => "Guid",
        "string" => "string",
        "bytes" => "byte[]",
        "records" => "ReadOnlyMemory<byte>?",
        _ => throw new InvalidOperationException($"Unknown primitive type {t}"),
    };

    private string CsType(FieldSpec f)
    {
        string q = f.IsNullable ? "?" : "";
        if (f.IsArray)
        {
            string elem = IsStruct(f) ? f.ElementType : PrimitiveType(f.ElementType);
            return $"List<{elem}>{q}";
        }
        if (IsStruct(f))
            return f.ElementType + q;
        return f.Type switch
        {
            "string" or "bytes" => PrimitiveType(f.Type) + q,
            _ => PrimitiveType(f.Type),
        };
    }

    private static bool DefaultIsNull(FieldSpec f) => string.Equals(f.Default, "null", StringComparison.OrdinalIgnoreCase);

    private static string NumberLiteral(FieldSpec f)
    {
        string? d = f.Default;
        if (string.IsNullOrEmpty(d))
            return "0";
        if (d.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return long.Parse(d[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        if (f.Type == "float64")
            return double.Parse(d, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture) + "d";
        return long.Parse(d, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The initializer expression, or null when the CLR default is right.</summary>
    private string? Initializer(FieldSpec f)
    {
        if (f.IsArray)
            return f.IsNullable && DefaultIsNull(f) ? null : "new()";
        if (IsStruct(f))
            return f.IsNullable || DefaultIsNull(f) ? null : "new()";
        switch (f.Type)
        {
            case "bool":
                return string.Equals(f.Default, "true", StringComparison.OrdinalIgnoreCase) ? "true" : null;
            case "uuid":
            case "records":
                return null;
            case "string":
                if (f.IsNullable && DefaultIsNull(f))
                    return null;
                return Literal(f.Default is null || DefaultIsNull(f) ? "" : f.Default);
            case "bytes":
                return f.IsNullable && DefaultIsNull(f) ? null : "Array.Empty<byte>()";
            default:
                string n = NumberLiteral(f);
                return n == "0" ? null : n;
        }
    }

    private string IsDefaultExpr(FieldSpec f, string p)
    {
        if (f.IsArray)
            return f.IsNullable && DefaultIsNull(f) ? $"{p} is null" : $"{p} is {{ Count: 0 }}";
        if (IsStruct(f))
            return f.IsNullable || DefaultIsNull(f) ? $"{p} is null" : $"({p} is null || {p}.IsDefaultValue())";
        switch (f.Type)
        {
            case "bool":
                return $"{p} == {(Initializer(f) ?? "false")}";
            case "uuid":
                return $"{p} == Guid.Empty";
            case "records":
                return $"{p} is null";
            case "string":
                return Initializer(f) is { } s ? $"{p} == {s}" : $"{p} is null";
            case "bytes":
                return Initializer(f) is null ? $"{p} is null" : $"{p} is {{ Length: 0 }}";
            default:
                return $"{p} == {Initializer(f) ?? "0"}";
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    private static string ReadPrimitive(string type, string rv, string c, bool nullable) => type switch
    {
        "int8" => $"{rv}.ReadInt8()",
        "int16" => $"{rv}.ReadInt16()",
        "int32" => $"{rv}.ReadInt32()",
        "int64" => $"{rv}.ReadInt64()",
        "uint16" => $"{rv}.ReadUInt16()",
        "uint32" => $"{rv}.ReadUInt32()",
        "float64" => $"{rv}.ReadFloat64()",
        "bool" => $"{rv}.ReadBool()",
        "uuid" => $"{rv}.ReadUuid()",
        "string" => nullable ? $"{rv}.ReadNullableString({c})" : $"{rv}.ReadString({c})",
        "bytes" => nullable ? $"{rv}.ReadNullableBytes({c})" : $"{rv}.ReadBytes({c})",
        "records" => $"{rv}.ReadRecords({c})",
        _ => throw new InvalidOperationException(type),
    };

    private void EmitRead(FieldSpec f, string target, string rv, string c)
    {
        string nullCond = f.NullableVersions.Intersect(f.Versions).Condition(f.Versions.Intersect(_scope));
        if (!f.IsNullable)
            nullCond = "false";
        if (f.IsArray)
        {
            Line("{");
            _indent++;
            Line($"int count = {rv}.ReadArrayLength({c});");
            Open("if (count < 0)");
            if (nullCond == "true")
                Line($"{target} = null;");
            else
            {
                string err = $"throw new KafkaProtocolException(\"Non-nullable field {f.Name} of {_m.Name} v\" + version + \" was serialized as null.\");";
                if (nullCond == "false")
                    Line(err);
                else
                {
                    Line($"if (!({nullCond})) {err}");
                    Line($"{target} = null;");
                }
            }
            Close();
            Open("else");
            string elemType = IsStruct(f) ? f.ElementType : PrimitiveType(f.ElementType);
            Line($"var list = new List<{elemType}>(count);");
            string elem = IsStruct(f) ? $"{Qualified(f.ElementType)}.Read(ref {rv}, version)" : ReadPrimitive(f.ElementType, rv, c, nullable: false);
            Line($"for (int i = 0; i < count; i++) list.Add({elem});");
            Line($"{target} = list;");
            Close();
            _indent--;
            Line("}");
            return;
        }
        if (IsStruct(f))
        {
            string read = $"{Qualified(f.ElementType)}.Read(ref {rv}, version)";
            if (nullCond == "false")
                Line($"{target} = {read};");
            else if (nullCond == "true")
                Line($"{target} = {rv}.ReadInt8() < 0 ? null : {read};");
            else
                Line($"{target} = ({nullCond}) && {rv}.ReadInt8() < 0 ? null : {read};");
            return;
        }
        if (f.Type is "string" or "bytes" && nullCond != "false" && nullCond != "true")
        {
            Line($"{target} = ({nullCond}) ? {ReadPrimitive(f.Type, rv, c, true)} : {ReadPrimitive(f.Type, rv, c, false)};");
            return;
        }
        Line($"{target} = {ReadPrimitive(f.Type, rv, c, nullCond == "true")};");
    }

    // ---- writing -------------------------------------------------------------------------------

    private static string WritePrimitive(string type, string wv, string value, string c, bool nullable) => type switch
    {
        "int8" => $"{wv}.WriteInt8({value});",
        "int16" => $"{wv}.WriteInt16({value});",
        "int32" => $"{wv}.WriteInt32({value});",
        "int64" => $"{wv}.WriteInt64({value});",
        "uint16" => $"{wv}.WriteUInt16({value});",
        "uint32" => $"{wv}.WriteUInt32({value});",
        "float64" => $"{wv}.WriteFloat64({value});",
        "bool" => $"{wv}.WriteBool({value});",
        "uuid" => $"{wv}.WriteUuid({value});",
        "string" => nullable ? $"{wv}.WriteNullableString({value}, {c});" : $"{wv}.WriteString({value} ?? string.Empty, {c});",
        "bytes" => nullable ? $"{wv}.WriteNullableBytes({value}, {c});" : $"{wv}.WriteBytes({value} ?? Array.Empty<byte>(), {c});",
        "records" => $"{wv}.WriteRecords({value}, {c});",
        _ => throw new InvalidOperationException(type),
    };

    private void EmitWrite(FieldSpec f, string p, string wv, string c)
    {
        string nullCond = f.NullableVersions.Intersect(f.Versions).Condition(f.Versions.Intersect(_scope));
        if (!f.IsNullable)
            nullCond = "false";
        if (f.IsArray)
        {
            Line("{");
            _indent++;
            Line($"var list = {p};");
            string nullLen = nullCond switch { "true" => "-1", "false" => "0", _ => $"({nullCond}) ? -1 : 0" };
            Line($"if (list is null) {wv}.WriteArrayLength({nullLen}, {c});");
            Open("else");
            Line($"{wv}.WriteArrayLength(list.Count, {c});");
            if (IsStruct(f))
                Line($"foreach (var item in list) item.Write({wv}, version);");
            else
                Line($"foreach (var item in list) {WritePrimitive(f.ElementType, wv, "item", c, false)}");
            Close();
            Close();
            return;
        }
        if (IsStruct(f))
        {
            string write = $"({p} ?? new {Qualified(f.ElementType)}()).Write({wv}, version);";
            if (nullCond == "false")
            {
                Line(write);
                return;
            }
            Action nullable = () =>
            {
                Line($"if ({p} is null) {wv}.WriteInt8(-1);");
                Line($"else {{ {wv}.WriteInt8(1); {p}.Write({wv}, version); }}");
            };
            if (nullCond == "true")
                nullable();
            else
            {
                Open($"if ({nullCond})");
                nullable();
                Close();
                Line($"else {write}");
            }
            return;
        }
        if (f.Type is "string" or "bytes" && nullCond != "false" && nullCond != "true")
        {
            Line($"if ({nullCond}) {WritePrimitive(f.Type, wv, p, c, true)}");
            Line($"else {WritePrimitive(f.Type, wv, p, c, false)}");
            return;
        }
        Line(WritePrimitive(f.Type, wv, p, c, nullCond == "true"));
    }

    // ---- classes -------------------------------------------------------------------------------

    private void EmitMembers(string className, List<FieldSpec> fields, bool topLevel)
    {
        var props = fields.Select(f => (f, name: PropertyName(f, className, topLevel))).ToList();
        foreach (var (f, name) in props)
        {
            Line($"/// <summary>{Xml(f.About)} Versions {f.Versions}{(f.IsNullable ? $", nullable {f.NullableVersions}" : "")}{(f.IsTagged ? $", tag {f.Tag} in {f.TaggedVersions}" : "")}.</summary>");
            string init = Initializer(f) is { } i ? $" = {i};" : "";
            Line($"public {CsType(f)} {name} {{ get; set; }}{init}");
            Line();
        }

        // Read
        Line($"/// <summary>Reads a {className} of the given version; the reader must be at its first byte.</summary>");
        Open($"public static {className} Read(ref KafkaReader reader, short version)");
        Line($"var obj = new {className}();");
        Line("bool flexible = IsFlexible(version);");
        foreach (var (f, name) in props)
        {
            var regular = RegularVersions(f);
            Guarded(regular.Condition(_scope), () => EmitRead(f, "obj." + name, "reader", "flexible"));
        }
        var tagged = props.Where(x => x.f.IsTagged && !TaggedIn(x.f).IsEmpty).OrderBy(x => x.f.Tag).ToList();
        Open("if (flexible)");
        if (tagged.Count == 0)
            Line("reader.SkipTaggedFields();");
        else
        {
            Line("uint taggedCount = reader.ReadTaggedFieldCount();");
            Open("for (uint t = 0; t < taggedCount; t++)");
            Line("var tagged = reader.ReadTaggedField(out uint tag);");
            Open("switch (tag)");
            foreach (var group in tagged.GroupBy(x => x.f.Tag))
            {
                Line($"case {group.Key}:");
                _indent++;
                foreach (var (f, name) in group)
                    Guarded(TaggedIn(f).Condition(_scope), () => EmitRead(f, "obj." + name, "tagged", "true"));
                Line("break;");
                _indent--;
            }
            Line("default:");
            Line("    break; // unknown tags are skipped");
            Close();
            Close();
        }
        Close();
        Line("return obj;");
        Close();
        Line();

        // Write
        Line($"/// <summary>Writes this {className} in the given version (fields absent from that version are not written).</summary>");
        Open("public void Write(KafkaWriter writer, short version)");
        Line("bool flexible = IsFlexible(version);");
        foreach (var (f, name) in props)
        {
            var regular = RegularVersions(f);
            Guarded(regular.Condition(_scope), () => EmitWrite(f, name, "writer", "flexible"));
        }
        Open("if (flexible)");
        if (tagged.Count == 0)
            Line("writer.WriteEmptyTaggedFields();");
        else
        {
            string Present(FieldSpec f, string name)
            {
                string cond = TaggedIn(f).Condition(_scope);
                string notDefault = $"!({IsDefaultExpr(f, name)})";
                return cond == "true" ? notDefault : $"({cond}) && {notDefault}";
            }
            Line("int taggedCount = 0;");
            foreach (var (f, name) in tagged)
                Line($"if ({Present(f, name)}) taggedCount++;");
            Line("writer.WriteTaggedFieldCount(taggedCount);");
            foreach (var (f, name) in tagged)
            {
                Open($"if ({Present(f, name)})");
                Open($"writer.WriteTaggedField({f.Tag}, w =>");
                EmitWrite(f, name, "w", "true");
                Close(");");
                Close();
            }
        }
        Close();
        Close();

        if (!topLevel)
        {
            Line();
            Line("/// <summary>True when every field still has its default value (tagged fields are written only when not default).</summary>");
            string expr = props.Count == 0 ? "true" : string.Join("\n" + new string(' ', (_indent + 1) * 4) + "&& ", props.Select(x => IsDefaultExpr(x.f, x.name)));
            Line($"internal bool IsDefaultValue() =>");
            Line($"    {expr};");
        }
    }

    /// <summary>Versions in which a field is written in the regular (non-tagged) position.</summary>
    private Versions RegularVersions(FieldSpec f)
    {
        if (!f.IsTagged)
            return f.Versions;
        var tagged = TaggedIn(f);
        if (tagged.IsEmpty)
            return f.Versions;
        // A field tagged from N on is regular below N (if its versions start earlier).
        if (f.Versions.Lowest < tagged.Lowest)
            return new Versions(f.Versions.Lowest, (short)(tagged.Lowest - 1));
        return Versions.None;
    }

    private static Versions TaggedIn(FieldSpec f) => f.TaggedVersions.Intersect(f.Versions);

    public string Emit()
    {
        Line("// <auto-generated>");
        Line($"// Generated by ActorBroker.Protocol.Generator from {_m.FileName} (Apache Kafka message spec). Do not edit.");
        Line("// Property names are the JSON field names; a name that collides with its enclosing type, with a nested");
        Line("// type or with a generated member (Key, Read, Write, ...) gets the suffix \"Value\".");
        Line("// </auto-generated>");
        Line("#nullable enable");
        Line("using ActorBroker.Protocol.Primitives;");
        Line();
        Line("namespace ActorBroker.Protocol.Messages;");
        Line();
        Line($"/// <summary>{_m.Name} (api key {_m.ApiKey}), versions {_m.ValidVersions}, flexible {_m.FlexibleVersions}.</summary>");
        Open($"public sealed partial class {_m.Name} : IKafkaMessage");
        Line($"public const ApiKey Key = ApiKey.{ApiName(_m.Name)};");
        Line("ApiKey IKafkaMessage.ApiKey => Key;");
        Line($"bool IKafkaMessage.IsRequest => {(_m.Kind == "request" ? "true" : "false")};");
        Line($"public const short LowestSupportedVersion = {_m.ValidVersions.Lowest};");
        Line($"public const short HighestSupportedVersion = {_m.ValidVersions.Highest};");
        Line($"/// <summary>True when the spec marks the highest version as unstable (not for production clients).</summary>");
        Line($"public const bool LatestVersionUnstable = {(_m.LatestVersionUnstable ? "true" : "false")};");
        Line();
        Line("/// <summary>Whether a version uses the flexible encoding (compact lengths, tagged fields).</summary>");
        string flex = _m.FlexibleVersions.IsEmpty ? "false" : $"version >= {_m.FlexibleVersions.Lowest}";
        Line($"public static bool IsFlexible(short version) => {flex};");
        Line();
        EmitMembers(_m.Name, _m.Fields, topLevel: true);
        foreach (var s in _structs)
        {
            Line();
            Line($"/// <summary>Struct {s.Name} of {_m.Name}.</summary>");
            Open($"public sealed partial class {s.Name}");
            EmitMembers(s.Name, s.Fields, topLevel: false);
            Close();
        }
        Close();
        // The header comment lists renames, which are only known after emitting: rebuild it.
        string body = _sb.ToString();
        if (Renames.Count > 0)
        {
            var header = string.Join("", Renames.Distinct().Select(r => $"// Renamed: {r}\n"));
            body = body.Replace("// </auto-generated>\n", header + "// </auto-generated>\n");
        }
        return body;
    }

    public static string ApiName(string messageName) =>
        messageName.EndsWith("Request", StringComparison.Ordinal) ? messageName[..^"Request".Length]
        : messageName.EndsWith("Response", StringComparison.Ordinal) ? messageName[..^"Response".Length]
        : messageName;
}
