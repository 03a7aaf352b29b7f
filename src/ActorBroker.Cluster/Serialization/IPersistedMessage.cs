namespace ActorBroker.Cluster.Serialization;

/// <summary>
/// Marks what goes into the journal or a snapshot. Bound in HOCON to <see cref="PersistedMessageSerializer"/>, so
/// stored data has an explicit, stable format instead of Akka's default serializer.
/// </summary>
public interface IPersistedMessage;
