namespace ActorBroker.Benchmarks;

/// <summary>A run's timing: a warm-up that is not counted, then the measured window.</summary>
public sealed record Window(TimeSpan Warmup, TimeSpan Measured)
{
    public TimeSpan End => Warmup + Measured;
}
