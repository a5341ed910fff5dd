namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// A built-in reward ported natively as far as the port is exact, which hands the other responses to verl's own
/// Python function (through the Python reward workers, see <c>VerlPythonScorers</c>). <see cref="IRewardFunction.Score"/>
/// scores only what the native port decides and throws <see cref="RewardConfigurationException"/> for the rest;
/// <see cref="SampleScorer.ScoreAsync"/> scores every response.
/// </summary>
public interface IPythonFallbackReward : IRewardFunction
{
    /// <summary>What the Python function needs that the worker's interpreter must have (named in the error when it lacks them).</summary>
    string PythonRequirements { get; }

    /// <summary>The result verl returns when the native port can tell it exactly; null when only the Python function can.</summary>
    RewardResult? TryScoreNatively(RewardRequest request);

    /// <summary>
    /// The sample for the bundled shim (verl_scorers.py): its <c>data_source</c> names the Python function to call,
    /// the rest are that function's arguments.
    /// </summary>
    RewardRequest ToPython(RewardRequest request);

    /// <summary>The reward, given what the Python function returned for <see cref="ToPython"/>'s sample.</summary>
    RewardResult FromPython(RewardRequest request, RewardResult python);
}
