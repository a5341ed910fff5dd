using VerlOrleans.Cli;

return await CliApp.Build().Parse(args).InvokeAsync();
