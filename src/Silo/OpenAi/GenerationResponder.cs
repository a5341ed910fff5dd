using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Models.Placement;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// Sends one prompt to the served model's grain (the engine every run on those weights shares, with the caller
/// <c>openai:{caller}</c> in its fair share) and answers in OpenAI's shape: whole, or as server-sent events (one
/// <c>data:</c> line per engine chunk that adds text or ends a choice, then <c>data: [DONE]</c>).
/// </summary>
public static partial class GenerationResponder
{
    private static readonly byte[] Done = Encoding.UTF8.GetBytes("data: [DONE]\n\n");

    /// <summary>The caller id the engine's fair share sees for an API caller.</summary>
    public static string CallerId(string callerName) => "openai:" + callerName;

    /// <summary>
    /// Generates every prompt's whole response at once (the engine batches them), a call lost with its model's silo made
    /// again as runs do.
    /// </summary>
    public static async Task<IResult> WholeAsync(IGrainFactory grains, ServedModel model, IReadOnlyList<GenerationCall> calls, ResponseShape shape, TimeProvider clock, CancellationToken cancellationToken)
    {
        var replies = await Task.WhenAll(calls.Select(call => ClusterRetry.CallAsync(
            () =>
            {
                RequestContext.Set(DeviceAwarePlacementStrategy.RequiredBytesKey, model.RequiredBytes);
                return grains.GetGrain<IModelGrain>(model.ModelKey).GenerateAsync(model.LoadSpec, call, cancellationToken);
            },
            clock,
            cancellationToken: cancellationToken)));
        return Json(shape.Whole(replies));
    }

    /// <summary>
    /// Streams every prompt's response as its chunks come, interleaved; an error after the first event is sent as a last
    /// <c>data: {"error": ...}</c> event.
    /// </summary>
    public static async Task StreamAsync(HttpContext context, IGrainFactory grains, ServedModel model, IReadOnlyList<GenerationCall> calls, ResponseShape shape, bool includeUsage, ILogger logger)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var aborted = stop.Token;
        var merged = Channel.CreateUnbounded<(int Prompt, GenerationChunk Chunk)>(new UnboundedChannelOptions { SingleReader = true });
        var pumps = calls.Select((call, prompt) => PumpAsync(grains, model, call, prompt, merged.Writer, aborted)).ToList();
        _ = Task.WhenAll(pumps).ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        var chunks = merged.Reader.ReadAllAsync(aborted).GetAsyncEnumerator(aborted);
        try
        {
            // The first chunk before the headers: a model that cannot load is still an error response, not a broken stream.
            var any = await chunks.MoveNextAsync();
            var response = context.Response;
            await Api.ServerSentEvents.StartAsync(context, aborted);
            for (var i = 0; i < calls.Count * shape.SamplesPerPrompt; i++)
            {
                if (shape.Opening(i) is { } opening)
                {
                    await SendAsync(response, opening, aborted);
                }
            }

            var completionTokens = 0;
            try
            {
                for (; any; any = await chunks.MoveNextAsync())
                {
                    var (prompt, chunk) = chunks.Current;
                    completionTokens += chunk.TokenIds.Count;
                    if (shape.Delta(prompt, chunk) is { } delta)
                    {
                        await SendAsync(response, delta, aborted);
                    }
                }
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested && e is not OutOfMemoryException)
            {
                LogStreamFailed(logger, e, model.Id);
                await SendAsync(response, OpenAiError.Body($"Generation failed: {e.Message}", "server_error", null, null), aborted);
                return;
            }

            if (includeUsage)
            {
                await SendAsync(response, shape.UsageChunk(calls.Sum(c => c.PromptTokenIds.Count), completionTokens), aborted);
            }

            await response.Body.WriteAsync(Done, aborted);
            await response.Body.FlushAsync(aborted);
        }
        finally
        {
            await stop.CancelAsync();
            await chunks.DisposeAsync();
        }
    }

    /// <summary>A 200 with <paramref name="body"/> as JSON, written as is (snake_case, as OpenAI's clients read it).</summary>
    public static IResult Json(JsonObject body) => Results.Content(body.ToJsonString(Wire), "application/json", Encoding.UTF8);

    /// <summary>
    /// JSON as OpenAI's servers write it: model text as UTF-8, not \u escapes (clients decode either; people reading a
    /// stream or a log read this). Bodies are never embedded in HTML, which is what the default escaping guards.
    /// </summary>
    public static readonly System.Text.Json.JsonSerializerOptions Wire = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static async Task PumpAsync(IGrainFactory grains, ServedModel model, GenerationCall call, int prompt, ChannelWriter<(int, GenerationChunk)> merged, CancellationToken cancellationToken)
    {
        RequestContext.Set(DeviceAwarePlacementStrategy.RequiredBytesKey, model.RequiredBytes);
        await foreach (var chunk in grains.GetGrain<IModelGrain>(model.ModelKey).StreamAsync(model.LoadSpec, call, cancellationToken).WithCancellation(cancellationToken))
        {
            await merged.WriteAsync((prompt, chunk), cancellationToken);
        }
    }

    private static async Task SendAsync(HttpResponse response, JsonObject data, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: " + data.ToJsonString(Wire) + "\n\n"), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenAI stream on model {Model} failed midway; the client got an error event")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception, string model);
}
