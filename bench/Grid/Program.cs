using System.Globalization;
using VerlOrleans.Bench.Grid;
using VerlOrleans.Cli;

// Grid benchmark (issue 7): concurrent runs on one warm model vs one cold eval process per run, and submit to first
// token. Usage: bench/README.md. "child-eval" is the benchmark re-running itself as a plain `verlorleans eval` process.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args is ["child-eval", .. var evalArgs])
{
    return await CliApp.Build().Parse(["eval", .. evalArgs]).InvokeAsync();
}

var options = GridBenchOptions.Parse(args);
await (options.CompareProviders ? ProviderOverheadBenchmark.RunAsync(options) : GridBenchmark.RunAsync(options));
return 0;
