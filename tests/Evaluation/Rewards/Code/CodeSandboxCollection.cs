namespace VerlOrleans.Evaluation.Tests.Rewards.Code;

/// <summary>
/// The test classes that start code sandboxes run one after another, so that the hostile tests can check that no
/// process runs as the sandbox uid once their own sandboxes have ended.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CodeSandboxCollection
{
    public const string Name = "code sandbox";
}
