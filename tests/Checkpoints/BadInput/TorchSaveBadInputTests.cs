using System.Text;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.TorchSave.Pickle;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.BadInput;

/// <summary>Damaged or hostile torch.save files fail with a <see cref="CheckpointFormatException"/> that names the file and the problem.</summary>
public sealed class TorchSaveBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new("bad-torch");

    private static string RealFile => FixturePaths.Torch26("fsdp1-w2", "model_world_size_2_rank_0.pt");

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var path = _dir.Combine("truncated.pt");
        var bytes = File.ReadAllBytes(RealFile);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Open(path);

        Assert.Contains("no end-of-central-directory record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupted_central_directory_is_refused()
    {
        var path = _dir.Combine("central.pt");
        var bytes = File.ReadAllBytes(RealFile);
        var central = bytes.AsSpan().LastIndexOf("PK\u0001\u0002"u8);
        bytes[central + 2] = 0x7f;                                        // break the signature of the last central entry
        File.WriteAllBytes(path, bytes);

        Assert.Contains("corrupted zip central directory", Open(path).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_pickle_fails_its_crc()
    {
        var path = _dir.Combine("crc.pt");
        var bytes = File.ReadAllBytes(RealFile);
        var at = bytes.AsSpan().IndexOf("model.embed_tokens"u8);
        bytes[at] = (byte)'M';
        File.WriteAllBytes(path, bytes);

        Assert.Contains("CRC-32", Open(path).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("posix", "system")]
    [InlineData("subprocess", "Popen")]
    [InlineData("builtins", "eval")]
    [InlineData("__builtin__", "exec")]
    [InlineData("torch", "load")]
    public void A_pickle_naming_a_forbidden_global_is_refused_without_running_it(string module, string name)
    {
        var path = _dir.Combine("evil.pt");
        var marker = _dir.Combine("pwned");
        var pickle = new PickleWriter().RawGlobal(module, name).String($"touch {marker}").Tuple1().Reduce().Stop().ToArray();
        TorchZipRewriter.WriteRaw(path, pickle);

        var error = Open(path);

        Assert.Contains($"forbidden global '{module}.{name}'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void A_forbidden_global_inside_a_real_state_dict_is_refused()
    {
        var path = _dir.Combine("evil-real.pt");
        TorchZipRewriter.RewritePickle(RealFile, path, TorchZipRewriter.Replace("collections\nOrderedDict\n"u8.ToArray(), "subprocess\ncheck_output\n"u8.ToArray()));

        Assert.Contains("forbidden global 'subprocess.check_output'", Open(path).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_storage_key_out_of_range_is_refused()
    {
        var path = _dir.Combine("key.pt");
        // The first storage key: BINUNICODE '0' right after the storage class.
        TorchZipRewriter.RewritePickle(RealFile, path, TorchZipRewriter.Replace("FloatStorage\nq\u0016X\u0001\u0000\u0000\u00000"u8.ToArray(), "FloatStorage\nq\u0016X\u0001\u0000\u0000\u0000Z"u8.ToArray()));

        Assert.Contains("storage key 'Z' out of range", Open(path).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_extent_beyond_its_storage_is_refused()
    {
        var path = _dir.Combine("extent.pt");
        var pickle = new PickleWriter().Global("collections", "OrderedDict").EmptyTuple().Reduce().String("w")
            .Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().String("storage").Global("torch", "FloatStorage").String("0").String("cpu").Int(4).Tuple().BinPersId()
            .Int(2).Ints([3]).Ints([1]).Bool(false).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce()
            .SetItem().Stop().ToArray();
        TorchZipRewriter.WriteRaw(path, pickle, ("0", new byte[16]));

        var error = Open(path);

        Assert.Contains("tensor extent beyond its storage", error.Message, StringComparison.Ordinal);
        Assert.Contains("key 'w'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_storage_whose_record_size_disagrees_with_its_element_count_is_refused()
    {
        var path = _dir.Combine("size.pt");
        var pickle = new PickleWriter().Global("collections", "OrderedDict").EmptyTuple().Reduce().String("w")
            .Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().String("storage").Global("torch", "FloatStorage").String("0").String("cpu").Int(4).Tuple().BinPersId()
            .Int(0).Ints([4]).Ints([1]).Bool(false).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce()
            .SetItem().Stop().ToArray();
        TorchZipRewriter.WriteRaw(path, pickle, ("0", new byte[12]));

        Assert.Contains("declares 4 F32 elements but its record holds 12 bytes", Open(path).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'N' }, "without STOP")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'h', 7, (byte)'.' }, "memo index 7")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'X', 0xff, 0xff, 0xff, 0x7f }, "runs past the end")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'0', (byte)'.' }, "stack underflow")]
    [InlineData(new byte[] { 0x80, 0x02, 0x82, 1, (byte)'.' }, "extension registry")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)']', (byte)'.' }, "not a state dict")]
    [InlineData(new byte[] { 0x80, 0x09, (byte)'.' }, "protocol 9")]
    public void Malformed_pickles_are_refused(byte[] pickle, string expected)
    {
        var path = _dir.Combine("malformed.pt");
        TorchZipRewriter.WriteRaw(path, pickle);

        Assert.Contains(expected, Open(path).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_legacy_non_zip_format_is_named()
    {
        var path = _dir.Combine("legacy.pt");
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, .. Encoding.ASCII.GetBytes(new string('x', 64))]);

        Assert.Contains("legacy pre-1.6 torch.save format", Open(path).Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private static CheckpointFormatException Open(string path)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => TorchSaveFile.Open(path));
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        return error;
    }
}
