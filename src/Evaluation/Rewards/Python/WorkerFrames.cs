using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>The worker protocol's framing: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.</summary>
internal static class WorkerFrames
{
    /// <summary>Largest frame accepted from a worker; a longer one is a protocol error.</summary>
    public const int MaxFrameBytes = 64 << 20;

    public static async Task WriteAsync(Stream stream, JsonNode message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next message, or null at the end of the stream; throws <see cref="InvalidDataException"/> for a malformed frame.</summary>
    public static async Task<JsonObject?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        var got = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > MaxFrameBytes)
        {
            throw new InvalidDataException($"the worker sent a frame of {length} bytes (at most {MaxFrameBytes})");
        }

        var body = new byte[length];
        if (await stream.ReadAtLeastAsync(body, (int)length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < length)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new InvalidDataException("the worker sent a frame that is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the worker sent a frame that is not JSON: {e.Message}", e);
        }
    }
}
