using System.Collections;
using System.Reflection;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Protocol.Tests.Messages;

/// <summary>
/// Fills every settable property of a generated message (recursively) with distinct non-default values,
/// and compares two messages field by field. Used by the round-trip tests.
/// </summary>
public sealed class MessageFiller
{
    private int _counter = 1;
    private static readonly byte[] SampleBatch = new RecordBatchBuilder(0).Add("k", "v", timestamp: 1_700_000_000_000).Build();

    public T Fill<T>() where T : new() => (T)Fill(typeof(T), depth: 0);

    public object Fill(Type type, int depth)
    {
        var obj = Activator.CreateInstance(type)!;
        foreach (var p in Properties(type))
            p.SetValue(obj, Value(p.PropertyType, p.GetValue(obj), depth));
        return obj;
    }

    public static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.CanRead);

    private object? Value(Type t, object? current, int depth)
    {
        int n = _counter++;
        if (t == typeof(sbyte)) return (sbyte)(n % 100 + 1);
        if (t == typeof(short)) return (short)(n + 1000);
        if (t == typeof(int)) return n + 100_000;
        if (t == typeof(long)) return n + 10_000_000_000L;
        if (t == typeof(ushort)) return (ushort)(n + 2000);
        if (t == typeof(uint)) return (uint)(n + 3_000_000);
        if (t == typeof(double)) return n + 0.25;
        if (t == typeof(bool)) return current is bool b ? !b : true;
        if (t == typeof(Guid)) return new Guid(n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        if (t == typeof(string)) return "s" + n;
        if (t == typeof(byte[])) return new byte[] { (byte)n, 1, 2 };
        if (t == typeof(ReadOnlyMemory<byte>?)) return (ReadOnlyMemory<byte>?)SampleBatch;
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(t)!;
            var elem = t.GetGenericArguments()[0];
            if (depth < 4)
                for (int i = 0; i < 2; i++)
                    list.Add(Value(elem, null, depth + 1));
            return list;
        }
        if (t.IsClass && t.Namespace == "ActorBroker.Protocol.Messages")
            return depth < 4 ? Fill(t, depth + 1) : Activator.CreateInstance(t);
        throw new NotSupportedException($"No sample value for {t}");
    }

    /// <summary>
    /// Checks that <paramref name="actual"/> (read back from the wire) has, for every field, either the value of
    /// <paramref name="expected"/> (the field exists in this version) or the default (it does not). Returns
    /// the path of the first mismatch, or null; counts the fields that came back with the written value.
    /// </summary>
    public static string? Compare(object expected, object actual, string path, ref int restored)
    {
        var type = expected.GetType();
        var fresh = Activator.CreateInstance(type)!;
        foreach (var p in Properties(type))
        {
            object? e = p.GetValue(expected), a = p.GetValue(actual), d = p.GetValue(fresh);
            string at = path + "." + p.Name;
            if (ValueEquals(e, a, at, ref restored, out var inner))
            {
                if (e is not null && !ValueEquals(e, d, at, ref Unused, out _))
                    restored++;
                continue;
            }
            if (inner is not null)
                return inner;
            if (!ValueEquals(d, a, at, ref Unused, out _))
                return $"{at}: wrote {Show(e)}, read {Show(a)}, default {Show(d)}";
        }
        return null;
    }

    private static int Unused;

    private static bool ValueEquals(object? x, object? y, string path, ref int restored, out string? inner)
    {
        inner = null;
        if (x is null || y is null)
            return x is null && y is null;
        switch (x)
        {
            case byte[] bx:
                return y is byte[] by && bx.AsSpan().SequenceEqual(by);
            case ReadOnlyMemory<byte> mx:
                return y is ReadOnlyMemory<byte> my && mx.Span.SequenceEqual(my.Span);
            case IList lx:
            {
                var ly = (IList)y;
                if (lx.Count != ly.Count)
                    return false;
                for (int i = 0; i < lx.Count; i++)
                {
                    if (lx[i] is { } ex && ex.GetType().Namespace == "ActorBroker.Protocol.Messages")
                    {
                        inner = Compare(ex, ly[i]!, $"{path}[{i}]", ref restored);
                        if (inner is not null)
                            return false;
                    }
                    else if (!Equals(lx[i], ly[i]))
                        return false;
                }
                return true;
            }
        }
        if (x.GetType().Namespace == "ActorBroker.Protocol.Messages")
        {
            inner = Compare(x, y, path, ref restored);
            return inner is null;
        }
        return Equals(x, y);
    }

    private static string Show(object? o) => o switch
    {
        null => "null",
        byte[] b => $"byte[{b.Length}]",
        IList l => $"list[{l.Count}]",
        _ => o.ToString() ?? "?",
    };
}
