using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using ActorBroker.Cluster.Serialization;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Tests.Serialization;

/// <summary>
/// Builds any <see cref="IClusterMessage"/> through its widest constructor with distinct non-default values in
/// every parameter (nested messages, lists and dictionaries filled too), and compares two instances field by field.
/// New message types are covered without changes here unless they use a parameter type not handled below.
/// </summary>
public sealed class ClusterMessageFiller
{
    private int _counter = 1;

    public static IReadOnlyList<Type> AllMessageTypes() =>
        typeof(IClusterMessage).Assembly.GetTypes()
            .Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    public object Fill(Type type, int depth = 0)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return constructor.Invoke(constructor.GetParameters().Select(p => Value(p.ParameterType, depth)).ToArray());
    }

    private object? Value(Type t, int depth)
    {
        int n = _counter++;
        if (Nullable.GetUnderlyingType(t) is { } inner) return Value(inner, depth);
        if (t == typeof(string)) return "s" + n;
        if (t == typeof(int)) return n + 100_000;
        if (t == typeof(long)) return n + 10_000_000_000L;
        if (t == typeof(short)) return (short)(n + 1000);
        if (t == typeof(bool)) return true;
        if (t == typeof(Guid)) return new Guid(n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        if (t == typeof(DateTime)) return new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc).AddSeconds(n);
        if (t == typeof(ErrorCode)) return (ErrorCode)(n % 40 + 1);
        if (t.IsEnum) return Enum.GetValues(t).GetValue(n % Enum.GetValues(t).Length)!;
        if (t == typeof(TopicPartition)) return new TopicPartition("topic-" + n, n);
        if (t == typeof(byte[])) return Bytes(n);
        if (t == typeof(Memory<byte>)) return new Memory<byte>(Bytes(n));
        if (t == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>(Bytes(n));
        if (t == typeof(ImmutableSortedDictionary<string, string>))
            return ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["a" + n] = "x" + n, ["b" + n] = "y" + n });
        if (t == typeof(IReadOnlyDictionary<string, string?>))
            return new Dictionary<string, string?> { ["a" + n] = "x" + n, ["b" + n] = null };
        if (t == typeof(ActorBroker.Cluster.Topics.PartitionAssignment))
            return new ActorBroker.Cluster.Topics.PartitionAssignment([n, n + 1, n + 2], n + 1, n + 3, [n + 1, n]);
        if (t == typeof(ImmutableDictionary<string, int>))
            return ImmutableDictionary.CreateRange(new Dictionary<string, int> { ["a" + n] = n, ["b" + n] = -1 });
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
        {
            var element = t.GetGenericArguments()[0];
            var items = Array.CreateInstance(element, 2);
            for (int i = 0; i < 2; i++)
                items.SetValue(Value(element, depth + 1), i);
            return typeof(ImmutableArray).GetMethods()
                .Single(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters() is [{ ParameterType.IsArray: true }])
                .MakeGenericMethod(element).Invoke(null, [items]);
        }
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var element = t.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            for (int i = 0; i < 2; i++)
                list.Add(Value(element, depth + 1));
            return list;
        }
        if (t.IsValueType && t.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            return Activator.CreateInstance(t, t.GetGenericArguments().Select(a => Value(a, depth + 1)).ToArray());
        if (typeof(IClusterMessage).IsAssignableFrom(t) && depth < 4)
            return Fill(t, depth + 1);
        throw new NotSupportedException($"No sample value for {t}: teach {nameof(ClusterMessageFiller)} this type.");
    }

    private static byte[] Bytes(int n) => Enumerable.Range(0, 5 + n % 7).Select(i => (byte)(n * 31 + i)).ToArray();

    /// <summary>The paths at which <paramref name="actual"/> differs from <paramref name="expected"/> (empty when equal).</summary>
    public static List<string> Differences(object? expected, object? actual, string path = "$")
    {
        var differences = new List<string>();
        Compare(expected, actual, path, differences);
        return differences;
    }

    private static void Compare(object? expected, object? actual, string path, List<string> differences)
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
                differences.Add($"{path}: {expected ?? "null"} != {actual ?? "null"}");
            return;
        }
        if (Payload(expected) is { } e && Payload(actual) is { } a)
        {
            if (!e.AsSpan().SequenceEqual(a))
                differences.Add($"{path}: bytes differ");
            return;
        }
        var type = expected.GetType();
        if (type.IsPrimitive || type.IsEnum || expected is string or Guid or DateTime or TopicPartition)
        {
            if (!expected.Equals(actual))
                differences.Add($"{path}: {expected} != {actual}");
            return;
        }
        if (type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
        {
            foreach (var field in type.GetFields())
                Compare(field.GetValue(expected), field.GetValue(actual), $"{path}.{field.Name}", differences);
            return;
        }
        if (expected is IEnumerable expectedItems && actual is IEnumerable actualItems)
        {
            var left = expectedItems.Cast<object?>().ToList();
            var right = actualItems.Cast<object?>().ToList();
            if (left.Count != right.Count)
                differences.Add($"{path}: {left.Count} items != {right.Count} items");
            for (int i = 0; i < Math.Min(left.Count, right.Count); i++)
                Compare(left[i], right[i], $"{path}[{i}]", differences);
            return;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            Compare(type.GetProperty("Key")!.GetValue(expected), type.GetProperty("Key")!.GetValue(actual), path + ".Key", differences);
            Compare(type.GetProperty("Value")!.GetValue(expected), type.GetProperty("Value")!.GetValue(actual), path + ".Value", differences);
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            Compare(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}", differences);
    }

    private static byte[]? Payload(object value) => value switch
    {
        byte[] bytes => bytes,
        Memory<byte> memory => memory.ToArray(),
        ReadOnlyMemory<byte> memory => memory.ToArray(),
        _ => null,
    };
}
