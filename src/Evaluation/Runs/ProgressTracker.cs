namespace VerlOrleans.Evaluation.Runs;

/// <summary>The running counts behind <see cref="EvaluationProgress"/>; updated by concurrent generate calls.</summary>
internal sealed class ProgressTracker(TimeProvider clock, long promptsTotal, long promptsFiltered, long promptsTruncated, long samplesTotal)
{
    private readonly Lock _lock = new();
    private readonly long _started = clock.GetTimestamp();
    private readonly Dictionary<string, (double Sum, long Count)> _scores = new(StringComparer.Ordinal);
    private long? _generationStarted;
    private long _samplesDone;
    private long _samplesResumed;
    private long _samplesGenerated;
    private long _generatedTokens;

    public long SamplesGenerated => _samplesGenerated;

    public long SamplesResumed => _samplesResumed;

    public long GeneratedTokens => _generatedTokens;

    /// <summary>A sample already in the folder when the run started.</summary>
    public void AddResumed(string dataSource, double score)
    {
        lock (_lock)
        {
            _samplesResumed++;
            _samplesDone++;
            AddScore(dataSource, score);
        }
    }

    public void StartGenerating()
    {
        lock (_lock)
        {
            _generationStarted ??= clock.GetTimestamp();
        }
    }

    /// <summary>
    /// Counts a generated sample and reports the counts it makes. Reported inside the same lock, so concurrent calls'
    /// reports reach <paramref name="progress"/> in the order of their counts (samples done never goes backwards).
    /// </summary>
    public void AddGenerated(string dataSource, double score, int tokens, IProgress<EvaluationProgress>? progress)
    {
        lock (_lock)
        {
            _samplesGenerated++;
            _samplesDone++;
            _generatedTokens += tokens;
            AddScore(dataSource, score);
            progress?.Report(SnapshotLocked(EvaluationPhase.Generating));
        }
    }

    public EvaluationProgress Snapshot(EvaluationPhase phase)
    {
        lock (_lock)
        {
            return SnapshotLocked(phase);
        }
    }

    private EvaluationProgress SnapshotLocked(EvaluationPhase phase)
    {
        var generating = _generationStarted is { } start ? clock.GetElapsedTime(start) : TimeSpan.Zero;
        var seconds = generating.TotalSeconds;
        TimeSpan? eta = null;
        if (_samplesGenerated > 0 && seconds > 0)
        {
            eta = TimeSpan.FromSeconds((samplesTotal - _samplesDone) * seconds / _samplesGenerated);
        }
        else if (_samplesDone == samplesTotal)
        {
            eta = TimeSpan.Zero;
        }

        var total = _scores.Values.Aggregate((Sum: 0.0, Count: 0L), (a, s) => (a.Sum + s.Sum, a.Count + s.Count));
        return new EvaluationProgress
        {
            Phase = phase,
            PromptsTotal = promptsTotal,
            PromptsFiltered = promptsFiltered,
            PromptsTruncated = promptsTruncated,
            SamplesTotal = samplesTotal,
            SamplesDone = _samplesDone,
            SamplesResumed = _samplesResumed,
            GeneratedTokens = _generatedTokens,
            TokensPerSecond = seconds > 0 ? _generatedTokens / seconds : 0,
            Eta = eta,
            Elapsed = clock.GetElapsedTime(_started),
            MeanScores = _scores.ToDictionary(p => p.Key, p => p.Value.Sum / p.Value.Count, StringComparer.Ordinal),
            MeanScore = total.Count == 0 ? null : total.Sum / total.Count,
        };
    }

    private void AddScore(string dataSource, double score)
    {
        var (sum, count) = _scores.GetValueOrDefault(dataSource);
        _scores[dataSource] = (sum + score, count + 1);
    }
}
