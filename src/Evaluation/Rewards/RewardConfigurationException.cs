namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// A reward cannot be computed because of its configuration or inputs (unknown data source, a keyword argument
/// the scorer does not take, a ground truth of the wrong type); never raised because of what a model wrote.
/// </summary>
public sealed class RewardConfigurationException(string message) : Exception(message);
