using System.Globalization;
using VerlOrleans.Bench.OpenAi;

// /v1 benchmark (issue 15): N concurrent streaming OpenAI chat clients vs the same prompts as one grid run, on one warm
// model of one silo process. Usage: bench/OpenAi/README.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
await OpenAiBenchmark.RunAsync(OpenAiBenchOptions.Parse(args));
