using VerlOrleans.Inference.Engine;

namespace VerlOrleans.Bench.Inference;

/// <summary>Lends one loaded runner to several engines in turn: forwards everything but Dispose.</summary>
internal sealed class SharedRunner(IModelRunner inner) : IModelRunner
{
    public RunnerInfo Info => inner.Info;

    public RunnerOutput Execute(IReadOnlyList<RunnerChunk> chunks) => inner.Execute(chunks);

    public void Release(long sequenceId) => inner.Release(sequenceId);

    public void Dispose()
    {
        // The benchmark disposes the real runner once, at the end.
    }
}
