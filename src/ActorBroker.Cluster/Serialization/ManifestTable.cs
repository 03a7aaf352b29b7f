using System.Runtime.Serialization;

namespace ActorBroker.Cluster.Serialization;

/// <summary>A serializer's stable manifests, both ways; an unlisted type or manifest fails loudly. Thread-safe (read-only).</summary>
internal sealed class ManifestTable(IReadOnlyDictionary<string, Type> typesByManifest, string serializer)
{
    private readonly Dictionary<Type, string> _manifestsByType = typesByManifest.ToDictionary(p => p.Value, p => p.Key);

    public string ManifestOf(object message) =>
        _manifestsByType.TryGetValue(message.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{message.GetType().FullName} is not registered in {serializer}.");

    /// <summary>The type stored under <paramref name="manifest"/>; <paramref name="unknown"/> explains an unknown one.</summary>
    public Type TypeOf(string manifest, string unknown) =>
        typesByManifest.TryGetValue(manifest, out var type) ? type : throw new SerializationException(unknown);
}
