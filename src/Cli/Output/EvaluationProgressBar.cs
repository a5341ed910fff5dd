using System.Globalization;
using Spectre.Console;
using VerlOrleans.Evaluation.Runs;

namespace VerlOrleans.Cli.Output;

/// <summary>
/// Shows an evaluation's progress with Spectre.Console on the error stream: a bar of samples done, with tokens/s, ETA
/// and the running mean score. Reports come from many generate calls at once; the task is updated at most
/// <see cref="MinInterval"/> apart (and always on a phase change), and Spectre redraws on its own schedule.
/// On a terminal the bar redraws in place; elsewhere (logs, tests) Spectre prints plain lines.
/// </summary>
internal sealed class EvaluationProgressBar(ProgressTask task, TimeProvider clock) : IProgress<EvaluationProgress>
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(200);

    private readonly Lock _lock = new();
    private long _lastUpdate = long.MinValue;
    private EvaluationPhase? _lastPhase;

    public EvaluationProgress? Last { get; private set; }

    /// <summary>A console over <paramref name="writer"/>: interactive with ANSI only when it is the real, unredirected stderr.</summary>
    public static IAnsiConsole ConsoleFor(TextWriter writer, bool isTerminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = isTerminal ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!isTerminal)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    public void Report(EvaluationProgress value)
    {
        lock (_lock)
        {
            Last = value;
            var now = clock.GetTimestamp();
            if (value.Phase == _lastPhase && _lastUpdate != long.MinValue && clock.GetElapsedTime(_lastUpdate, now) < MinInterval)
            {
                return;
            }

            _lastUpdate = now;
            _lastPhase = value.Phase;
            task.MaxValue = Math.Max(1, value.SamplesTotal);
            task.Value = value.SamplesDone;
            task.Description = Markup.Escape(Describe(value));
        }
    }

    /// <summary>"generating 12/40 samples · 85.2 tok/s · ETA 00:01:10 · mean score 0.250".</summary>
    public static string Describe(EvaluationProgress p)
    {
        var parts = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{p.Phase.ToString().ToLowerInvariant()} {p.SamplesDone}/{p.SamplesTotal} samples"),
            string.Create(CultureInfo.InvariantCulture, $"{p.TokensPerSecond:F1} tok/s"),
        };
        if (p.Eta is { } eta)
        {
            parts.Add($"ETA {eta:hh\\:mm\\:ss}");
        }

        if (p.MeanScore is { } mean)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"mean score {mean:F3}"));
        }

        return string.Join(" · ", parts);
    }
}
