using System.Buffers.Binary;
using System.Text;
using Dsl.Models.Checkpoints;

namespace Dsl.Tests.Checkpoints;

/// <summary>Checkpoints over 2 GiB (ViT-L with its AdamW state is 3.6 GB) are read tensor by tensor from the file.</summary>
public sealed class LargeCheckpointTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("large-ckpt").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Checkpoint_over_2_GiB_opens_and_reads_a_tensor_past_the_2_GiB_mark()
    {
        // A sparse file: a 2 GiB + 4-byte tensor of zeros the file system never stores, then a small one after it.
        const long bigBytes = (1L << 31) + 4;
        string header = "{\"__metadata__\":{\"step\":\"9\"}," +
            $"\"big\":{{\"dtype\":\"F32\",\"shape\":[{bigBytes / 4}],\"data_offsets\":[0,{bigBytes}]}}," +
            $"\"tail\":{{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[{bigBytes},{bigBytes + 24}]}}}}";
        var json = Encoding.UTF8.GetBytes(header);
        var path = Path.Combine(dir, "big.safetensors");
        using (var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            var prefix = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)json.Length);
            f.Write(prefix);
            f.Write(json);
            f.SetLength(8 + json.Length + bigBytes + 24);
            f.Position = 8 + json.Length + bigBytes;
            foreach (var v in new[] { 1.5, -2.25, 1e300 }) f.Write(BitConverter.GetBytes(v));
        }
        new FileInfo(path).Length.ShouldBeGreaterThan(int.MaxValue);

        using var file = SafeTensorsFile.Open(path);
        file.Header.Metadata["step"].ShouldBe("9");
        file.Header.Tensors.Select(t => t.Name).ShouldBe(["big", "tail"]);
        file.Header.Tensors[0].Shape.ShouldBe([bigBytes / 4]);
        var tail = file.Read(file.Header.Tensors.Single(t => t.Name == "tail"));
        tail.Shape.ShouldBe(new Shape(3));
        tail.ToDoubles().ShouldBe([1.5, -2.25, 1e300]);
    }

    [Fact]
    public void Truncating_a_large_checkpoint_is_caught_from_its_header()
    {
        var path = Path.Combine(dir, "cut.safetensors");
        var json = Encoding.UTF8.GetBytes("{\"big\":{\"dtype\":\"F32\",\"shape\":[1073741824],\"data_offsets\":[0,4294967296]}}");
        using (var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            f.Write(BitConverter.GetBytes((ulong)json.Length));
            f.Write(json);
            f.SetLength(8 + json.Length + (3L << 30));   // 1 GiB short
        }
        var e = Should.Throw<CheckpointException>(() => SafeTensorsFile.Open(path));
        e.Message.ShouldContain("places tensor 'big' at bytes 0..4294967296, past the end of the 3221225472-byte data buffer");
    }
}
