using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Evaluation.Runs;

/// <summary>
/// The planning pass of an evaluation: every selected row's prompt is built once before anything is generated, so
/// totals are exact, rows that cannot be sent (truncation <c>error</c>) and unrouted data sources fail before any
/// model time is spent, and every filtered or truncated row is listed in <c>prompt_report.json</c>.
/// Only counts and the report entries stay in memory; prompts are rebuilt while generating.
/// </summary>
internal sealed class PromptPlan
{
    private readonly List<JsonObject> _entries = [];

    public long Selected { get; private set; }

    public long Filtered { get; private set; }

    public long Truncated { get; private set; }

    public long Kept => Selected - Filtered;

    /// <summary>Builds every prompt once; <paramref name="rewards"/> (null when a custom reward scores every source) must route each data source.</summary>
    public static async Task<PromptPlan> BuildAsync(VerlDataset dataset, PromptBuilder builder, RewardRegistry? rewards, CancellationToken cancellationToken)
    {
        var plan = new PromptPlan();
        var routed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in dataset.ReadAsync(cancellationToken))
        {
            plan.Selected++;
            var prompt = builder.Build(row);
            switch (prompt.Disposition)
            {
                case PromptDisposition.Filtered:
                    plan.Filtered++;
                    plan._entries.Add(Entry(row, prompt, "filtered"));
                    continue;
                case PromptDisposition.Truncated:
                    plan.Truncated++;
                    plan._entries.Add(Entry(row, prompt, "truncated"));
                    break;
            }

            var source = row.MetricsDataSource;
            if (rewards is not null && routed.Add(source))
            {
                try
                {
                    rewards.Resolve(source);
                }
                catch (RewardConfigurationException e)
                {
                    throw new RewardConfigurationException($"{row.SourceFile}: row {row.RowInFile}: {e.Message}");
                }
            }
        }

        return plan;
    }

    /// <summary>Writes <c>prompt_report.json</c>: the settings, the counts, and one entry per filtered or truncated row.</summary>
    public void Write(string folder, PromptOptions options)
    {
        var report = new JsonObject
        {
            ["max_prompt_length"] = options.MaxPromptLength,
            ["truncation"] = options.Truncation.ToVerlName(),
            ["filter_overlong_prompts"] = options.FilterOverlongPrompts,
            ["selected"] = Selected,
            ["kept"] = Kept,
            ["filtered"] = Filtered,
            ["truncated"] = Truncated,
            ["rows"] = new JsonArray([.. _entries]),
        };
        ResultsFolder.WriteAtomically(Path.Combine(folder, ResultsFolder.PromptReportFile), report.ToJsonString(ReportJson) + "\n");
    }

    private static readonly System.Text.Json.JsonSerializerOptions ReportJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static JsonObject Entry(DatasetRow row, BuiltPrompt prompt, string disposition) => new()
    {
        ["disposition"] = disposition,
        ["uid"] = row.Uid,
        ["position"] = row.Position,
        ["source_file"] = row.SourceFile,
        ["row_in_file"] = row.RowInFile,
        ["templated_tokens"] = prompt.TemplatedLength,
        ["sent_tokens"] = prompt.IsFiltered ? null : prompt.TokenIds.Count,
        ["reason"] = prompt.FilterReason,
    };
}
