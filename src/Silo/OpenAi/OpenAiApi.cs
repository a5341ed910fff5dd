using System.Diagnostics;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Models;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Silo.Security;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// An OpenAI-compatible API on the grid's warm models, for harnesses that speak it: <c>GET /v1/models</c> (every
/// registered checkpoint), <c>POST /v1/completions</c> and <c>POST /v1/chat/completions</c> (whole or streamed). A
/// request for a checkpoint that is not ready prepares it first; generation goes to the model grain runs use, so the
/// engine batches API requests with run traffic. Errors are OpenAI's error objects, never a stack trace. Reading the
/// models and generating both need only a read token (this group is not under the <c>/api</c> admin rule).
/// </summary>
public static partial class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization(GridPolicies.Read);

        v1.MapGet("/models", async (IGrainFactory grains) =>
        {
            var models = await new ModelCatalog(grains).ListAsync();
            return GenerationResponder.Json(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(models.Select(m => (JsonNode)ModelCatalog.ToJson(m.Id, m.Checkpoint)).ToArray()),
            });
        }).WithName("OpenAiListModels").WithSummary("Every registered checkpoint as an OpenAI model.");

        v1.MapGet("/models/{**model}", async (string model, IGrainFactory grains) =>
        {
            try
            {
                var (id, checkpoint) = await new ModelCatalog(grains).ResolveAsync(model);
                return GenerationResponder.Json(ModelCatalog.ToJson(id, checkpoint));
            }
            catch (OpenAiError e)
            {
                return e.ToResult();
            }
        }).WithName("OpenAiGetModel").WithSummary("One model by id, absolute checkpoint path or content hash.");

        v1.MapPost("/completions", (HttpContext context) => HandleAsync(context, chat: false))
            .WithName("OpenAiCompletions").WithSummary("OpenAI completions (prompt text or token ids) on a registered checkpoint.");

        v1.MapPost("/chat/completions", (HttpContext context) => HandleAsync(context, chat: true))
            .WithName("OpenAiChatCompletions").WithSummary("OpenAI chat completions, rendered with the checkpoint's own chat template.");

        return app;
    }

    private static async Task HandleAsync(HttpContext context, bool chat)
    {
        var services = context.RequestServices;
        var grains = services.GetRequiredService<IGrainFactory>();
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OpenAiApi));
        var aborted = context.RequestAborted;
        try
        {
            var fields = await RequestFields.ReadAsync(context.Request, aborted);
            CompletionRequest? completion = null;
            ChatCompletionRequest? conversation = null;
            if (chat)
            {
                conversation = ChatCompletionRequest.Parse(fields);
            }
            else
            {
                completion = CompletionRequest.Parse(fields);
            }

            var (id, checkpoint) = await new ModelCatalog(grains).ResolveAsync(completion?.Model ?? conversation!.Model);
            var model = await ServedModel.PrepareAsync(grains, id, checkpoint,
                services.GetRequiredService<TokenizerCache>(), services.GetRequiredService<ModelEngineFactory>(), aborted);
            var caller = GenerationResponder.CallerId(context.User.CallerName());
            IReadOnlyList<GenerationCall> calls;
            ResponseShape shape;
            if (completion is not null)
            {
                // A prompt given as ids is echoed as their text; one given as text, as written.
                var prompts = completion.Prompts
                    .Select(p => p.TokenIds is { } ids ? (Text: model.Tokenizer.Decode(ids), TokenIds: ids) : (Text: p.Text!, TokenIds: model.Tokenizer.Encode(p.Text!)))
                    .ToList();
                calls = prompts.Select(p => new GenerationCall(caller, p.TokenIds, completion.Sampling)).ToList();
                shape = ResponseShape.Completion(id, clock, model.Tokenizer, completion, prompts);
            }
            else
            {
                calls = [new GenerationCall(caller, model.Tokenizer.Encode(Render(model, conversation!)), conversation!.Sampling)];
                shape = ResponseShape.ChatCompletion(id, clock, model.Tokenizer, conversation);
            }

            if (completion?.Stream ?? conversation!.Stream)
            {
                await GenerationResponder.StreamAsync(context, grains, model, calls, shape, completion?.IncludeUsage ?? conversation!.IncludeUsage, logger);
            }
            else
            {
                await (await GenerationResponder.WholeAsync(grains, model, calls, shape, clock, aborted)).ExecuteAsync(context);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: the engine frees its slots at its next step.
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OutOfMemoryException)
        {
            await ErrorFor(e, logger, context).ToResult().ExecuteAsync(context);
        }
    }

    private static string Render(ServedModel model, ChatCompletionRequest request)
    {
        try
        {
            return model.Template.Render((JsonArray)request.Messages.DeepClone(), addGenerationPrompt: true, request.ChatTemplateKwargs);
        }
        catch (ChatTemplateException e)
        {
            throw new OpenAiError(StatusCodes.Status400BadRequest, $"The chat template of model '{model.Id}' refused these messages: {e.Message}", "invalid_request_error", "messages", "chat_template_failed");
        }
    }

    /// <summary>The OpenAI error for what a request threw; anything unexpected is logged under a correlation id.</summary>
    private static OpenAiError ErrorFor(Exception e, ILogger logger, HttpContext context)
    {
        switch (e)
        {
            case OpenAiError error:
                return error;
            case ArgumentException argument:
                // The engine's own checks (token ids outside the vocabulary, a prompt longer than the model's context).
                return new OpenAiError(StatusCodes.Status400BadRequest, argument.Message.Split('\n')[0], "invalid_request_error", null, "invalid_value");
            case ModelUnloadedException or TimeoutException or NoModelRoomException:
                // No room (every resident model busy), a model unloaded mid-call, or a call that timed out: try again later.
                return new OpenAiError(StatusCodes.Status503ServiceUnavailable, $"The model could not serve this request now: {e.Message}", "server_error", null, "model_unavailable");
            default:
                var id = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
                LogUnhandled(logger, e, context.Request.Path, id);
                return new OpenAiError(StatusCodes.Status500InternalServerError,
                    $"The grid could not answer this request; it is logged under correlation id {id}.", "server_error", null, "internal_error");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in OpenAI endpoint {Path} (correlation id {CorrelationId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path, string correlationId);
}
