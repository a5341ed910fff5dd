using Microsoft.AspNetCore.Http.Features;

namespace VerlOrleans.Silo.Api;

/// <summary>The one way this host starts a Server-Sent Events response (the run and sweep feeds, the /v1 streams).</summary>
public static class ServerSentEvents
{
    /// <summary>Sends the event-stream headers, unbuffered, so each event leaves as it is written.</summary>
    public static Task StartAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // nginx and similar proxies buffer responses unless told not to: events would arrive in bursts.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return response.StartAsync(cancellationToken);
    }
}
