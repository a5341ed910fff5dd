using VerlOrleans.Inference.Models;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>A CPU step of a few tokens runs libtorch on one thread and gives the thread count back.</summary>
public sealed class SmallStepThreadsTests
{
    [Fact]
    public void A_few_token_step_runs_on_one_thread_and_restores_the_count_while_a_large_step_keeps_it()
    {
        var original = get_num_threads();
        set_num_threads(2);
        try
        {
            using (SmallStepThreads.Enter(CPU, tokens: 1))
            {
                Assert.Equal(1, get_num_threads());
            }

            Assert.Equal(2, get_num_threads());

            using (SmallStepThreads.Enter(CPU, tokens: Linear.RowSplitMaxTokens + 1))
            {
                Assert.Equal(2, get_num_threads());
            }

            Assert.Equal(2, get_num_threads());
        }
        finally
        {
            set_num_threads(original);
        }
    }
}
