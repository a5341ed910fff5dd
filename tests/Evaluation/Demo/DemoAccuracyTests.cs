using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;
using Xunit.Abstractions;

namespace VerlOrleans.Evaluation.Tests.Demo;

/// <summary>
/// The demo run's metric really moves: the first and last saved steps, merged as the grid merges them (bfloat16,
/// content-addressed cache), loaded in the project's own inference engine and evaluated greedily by the evaluation
/// pipeline on the demo parquet's first rows, score low and high under the gsm8k reward, and answer exactly as
/// PyTorch answered with the same bfloat16-rounded weights (demo/MANIFEST.json).
/// </summary>
public sealed class DemoAccuracyTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Rows evaluated per step: the first rows of the parquet (the families alternate), as many as the manifest has PyTorch's answers for.</summary>
    private const int Rows = 32;

    /// <summary>The response budget train_demo.py evaluated with (<c>--max-new-tokens</c>, in the manifest's accuracy note).</summary>
    private const int MaxNewTokens = 32;

    private readonly TempDirectory _dir = new("demo-accuracy");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_engine_scores_the_first_step_near_zero_and_the_last_high_answering_as_pytorch_did()
    {
        Assert.Contains($"at most {MaxNewTokens} new tokens", DemoFiles.Manifest.GetProperty("accuracy").GetString(), StringComparison.Ordinal);
        var first = await EvaluateAsync(DemoFiles.Steps[0]);
        var last = await EvaluateAsync(DemoFiles.Steps[^1]);

        Assert.InRange(first, 0, 0.2);
        Assert.InRange(last, 0.75, 1);
    }

    private async Task<double> EvaluateAsync(long step)
    {
        var cached = await ModelCache.MergeIntoAsync(DemoFiles.Actor(step), _dir.Combine("models"));
        var tokenizer = HfTokenizer.FromDirectory(cached.Folder);
        var template = ChatTemplate.FromDirectory(cached.Folder);
        await using var generator = EngineResponseGenerator.Start(cached.Folder, tokenizer, new TorchRunnerOptions { MaxBatchSize = Rows, MaxSequenceLength = 128 });
        await generator.Engine.Ready;
        var spec = new EvaluationSpec
        {
            DataFiles = [DemoFiles.Dataset],
            Dataset = new DatasetOptions { MaxSamples = Rows },
            Sampling = new SamplingParams { Temperature = 0, MaxTokens = MaxNewTokens },
            OutputFolder = _dir.Combine($"results-{step}"),
            MaxInFlight = Rows,
        };

        var outcome = await new EvaluationPipeline(tokenizer, template, generator).RunAsync(spec);

        var results = (await ResultsReader.ReadAsync(Path.Combine(spec.OutputFolder, ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ToList();
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), results.Select(r => r.Position));
        var pytorch = DemoFiles.Step(step).GetProperty("pytorch_greedy_first_rows_bf16_weights").EnumerateArray().Select(e => e.GetString()!).Take(Rows).ToList();
        Assert.Equal(Rows, pytorch.Count);
        var gsm8k = new Gsm8kReward();
        var pytorchScores = results.Zip(pytorch, (r, text) => gsm8k.Score(new RewardRequest(r.DataSource, text, r.GroundTruth)).Score).ToList();
        var mean = outcome.Metrics.Single(m => m.Key == "val-core/openai/gsm8k/reward/mean@1").Value;
        output.WriteLine($"step {step}: engine mean@1 {mean:F4} over {Rows} rows, PyTorch (bf16 weights) {pytorchScores.Average():F4}; "
            + $"{results.Zip(pytorch).Count(p => p.First.ResponseText == p.Second)} of {Rows} responses identical");
        foreach (var (result, text) in results.Zip(pytorch).Where(p => p.First.ResponseText != p.Second))
        {
            output.WriteLine($"  row {result.Position}: engine {result.ResponseText}  PyTorch {text}");
        }

        Assert.Equal(results.Average(r => r.Score), mean, 12);
        Assert.Equal(pytorch, results.Select(r => r.ResponseText));
        Assert.Equal(pytorchScores, results.Select(r => r.Score));
        return mean;
    }
}
