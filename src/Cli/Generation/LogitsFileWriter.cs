using System.Runtime.InteropServices;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Inference.Engine;

namespace VerlOrleans.Cli.Generation;

/// <summary>
/// Writes <c>generate --logits-out</c>: a safetensors file of float32 logits (before temperature or filters),
/// <c>prefill</c> (vocab) at the last prompt position and <c>sequence{i}.steps</c> (generated, vocab), row k being
/// the logits token k was drawn from (row 0 equals prefill). Written to a temporary file renamed into place, so
/// an existing file is either replaced whole or left as it was.
/// </summary>
internal static class LogitsFileWriter
{
    public static void Write(string path, GenerationResult result)
    {
        var sequences = result.Sequences;
        var vocab = sequences[0].Logits![0].Length;
        var entries = new List<SafetensorsEntry> { new("prefill", TensorDType.F32, [vocab]) };
        entries.AddRange(sequences.Select(s => new SafetensorsEntry($"sequence{s.Index}.steps", TensorDType.F32, [s.Logits!.Count, vocab])));

        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = SafetensorsWriter.Create(temporary, entries))
            {
                writer.Append(MemoryMarshal.AsBytes(sequences[0].Logits![0].AsSpan()));
                foreach (var row in sequences.SelectMany(s => s.Logits!))
                {
                    writer.Append(MemoryMarshal.AsBytes(row.AsSpan()));
                }

                writer.Complete();
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
