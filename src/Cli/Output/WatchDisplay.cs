using Spectre.Console;

namespace VerlOrleans.Cli.Output;

/// <summary>
/// Live progress of watched runs on the error stream. On a terminal: one Spectre progress bar per item, redrawn in
/// place. Elsewhere (logs, pipes, tests): one plain line per item whenever its description changes, at most once per
/// <see cref="PlainInterval"/> per item, and always the item's final line.
/// </summary>
internal sealed class WatchDisplay
{
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(1);

    private readonly TextWriter _writer;
    private readonly ProgressContext? _context;
    private readonly Dictionary<string, ProgressTask> _tasks = [];
    private readonly Dictionary<string, (string Text, DateTime At)> _printed = [];

    private WatchDisplay(TextWriter writer, ProgressContext? context)
    {
        _writer = writer;
        _context = context;
    }

    /// <summary>Runs <paramref name="body"/> with a display over <paramref name="stderr"/>.</summary>
    public static async Task<T> RunAsync<T>(TextWriter stderr, Func<WatchDisplay, Task<T>> body)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected)
        {
            return await body(new WatchDisplay(stderr, null));
        }

        var result = default(T)!;
        await EvaluationProgressBar.ConsoleFor(stderr, isTerminal: true).Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context => result = await body(new WatchDisplay(stderr, context)));
        return result;
    }

    /// <summary>Shows <paramref name="text"/> for item <paramref name="key"/>, <paramref name="fraction"/> done.</summary>
    public void Show(string key, string text, double fraction, bool final)
    {
        if (_context is not null)
        {
            if (!_tasks.TryGetValue(key, out var task))
            {
                task = _tasks[key] = _context.AddTask(Markup.Escape(text), maxValue: 1);
            }

            task.Description = Markup.Escape(text);
            task.Value = Math.Clamp(fraction, 0, 1);
            if (final)
            {
                task.StopTask();
            }

            return;
        }

        var now = DateTime.UtcNow;
        if (_printed.TryGetValue(key, out var last) && (last.Text == text || (!final && now - last.At < PlainInterval)))
        {
            return;
        }

        _printed[key] = (text, now);
        _writer.WriteLine(text);
    }
}
