using System.CommandLine;
using VerlOrleans.Cli.Commands;

namespace VerlOrleans.Cli;

/// <summary>The verlorleans command tree. Each command lives in its own file under Commands/.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("verlorleans: validate, merge and evaluate verl checkpoints (standalone or against a VerlOrleans cluster).");
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(DetokenizeCommand.Create());
        root.Subcommands.Add(ChatTemplateCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(DeleteCommand.Create());
        root.Subcommands.Add(ResultsCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(ClusterCertCommand.Create());
        return root;
    }
}
