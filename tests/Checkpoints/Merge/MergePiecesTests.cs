using System.Buffers.Binary;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Tests.Merge;

/// <summary>The small parts of a merge: dtype rounding, shard sizes, save_pretrained's file split.</summary>
public sealed class MergePiecesTests
{
    [Theory]
    [InlineData(0x3F800000u, (ushort)0x3F80)]      // 1.0
    [InlineData(0x3F808000u, (ushort)0x3F80)]      // exactly halfway, even below: stays
    [InlineData(0x3F818000u, (ushort)0x3F82)]      // exactly halfway, odd below: rounds up to even
    [InlineData(0x3F808001u, (ushort)0x3F81)]      // just above halfway: up
    [InlineData(0x7F7FFFFFu, (ushort)0x7F80)]      // float max rounds to +inf, as torch does
    [InlineData(0xFF800000u, (ushort)0xFF80)]      // -inf
    [InlineData(0x7FC00001u, (ushort)0x7FC0)]      // NaN payload -> canonical quiet NaN
    [InlineData(0x80000000u, (ushort)0x8000)]      // -0.0
    public void Float32_to_bf16_rounds_to_nearest_even_like_torch(uint input, ushort expected)
    {
        // Enough copies to go through the vector path and the scalar tail.
        var source = new byte[4 * 37];
        for (var i = 0; i < 37; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(source.AsSpan(i * 4), input);
        }

        var output = new byte[2 * 37];
        DTypeConversion.Convert(TensorDType.F32, source, TensorDType.BF16, output);

        Assert.All(Enumerable.Range(0, 37), i => Assert.Equal(expected, BinaryPrimitives.ReadUInt16LittleEndian(output.AsSpan(i * 2))));
    }

    [Fact]
    public void Integer_tensors_are_never_converted()
    {
        Assert.Equal(TensorDType.I64, DTypeConversion.OutputType(TensorDType.I64, TensorDType.BF16));
        Assert.Equal(TensorDType.Bool, DTypeConversion.OutputType(TensorDType.Bool, TensorDType.F16));
        Assert.Equal(TensorDType.F16, DTypeConversion.OutputType(TensorDType.F32, TensorDType.F16));
        Assert.Equal(TensorDType.F32, DTypeConversion.OutputType(TensorDType.F32, null));
    }

    [Fact]
    public void Float64_narrows_through_float32_like_c10()
    {
        var source = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(source, 1.0 + Math.Pow(2, -8) + Math.Pow(2, -30));
        var output = new byte[2];

        DTypeConversion.Convert(TensorDType.F64, source, TensorDType.BF16, output);

        // As float32 the 2^-30 is gone, leaving an exact bf16 tie that rounds to even (1.0); rounding the double
        // directly would see "above halfway" and give 0x3F81.
        Assert.Equal((ushort)0x3F80, BinaryPrimitives.ReadUInt16LittleEndian(output));
    }

    [Theory]
    [InlineData("5GB", 5_000_000_000L)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5KB", 1500L)]
    [InlineData("4096", 4096L)]
    public void Shard_sizes_parse_like_save_pretrained(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5 parsecs")]
    [InlineData("-1GB")]
    [InlineData("0")]
    public void Nonsense_sizes_are_rejected(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Files_are_split_greedily_in_order_with_oversized_tensors_alone()
    {
        SafetensorsEntry U8(string name, long size) => new(name, TensorDType.U8, [size]);
        var shards = SafetensorsShardPlan.Split([U8("a", 40), U8("b", 50), U8("c", 20), U8("huge", 300), U8("d", 30), U8("e", 80)], 100);

        Assert.Equal(["model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors", "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors"], shards.Select(s => s.FileName));
        Assert.Equal([["a", "b"], ["huge"], ["c", "d"], ["e"]], shards.Select(s => s.Entries.Select(e => e.Name).ToArray()));
        Assert.Equal("model.safetensors", Assert.Single(SafetensorsShardPlan.Split([U8("a", 40)], 100)).FileName);
    }
}
