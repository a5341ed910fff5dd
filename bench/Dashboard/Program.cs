using VerlOrleans.Bench.Dashboard;

// dotnet run -c Release --project bench/Dashboard -- [--samples 2000] [--tabs 5] [--rounds 2] [--max-tokens 32] [--nice-browser]
var options = DashboardBenchOptions.Parse(args);
return await DashboardBenchmark.RunAsync(options);
