using System.Text;
using Dsl.Execution;
using Dsl.Models.Checkpoints;

namespace Dsl.Tests.Training;

/// <summary>safetensors checkpoints round-trip, follow the published layout and reject corrupt files clearly.</summary>
public sealed class SafeTensorsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("ckpt").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Dictionary<string, HostTensor> Sample() => new()
    {
        ["blocks.0.attn.qkv.weight"] = HostTensor.F32(new Shape(2, 3), [1, 2, 3, 4, 5, 6]),
        ["optim.step"] = HostTensor.F64(Shape.Scalar, [7]),
        ["rng"] = HostTensor.I64(new Shape(2), [42, -1]),
    };

    [Fact]
    public void Round_trips_tensors_and_metadata()
    {
        var path = Path.Combine(dir, "a.safetensors");
        SafeTensors.Save(path, Sample(), new Dictionary<string, string> { ["step"] = "7", ["method"] = "simclr" });
        var (tensors, meta) = SafeTensors.Load(path);
        tensors.Keys.Order().ShouldBe(Sample().Keys.Order());
        foreach (var (k, v) in Sample())
        {
            tensors[k].Type.ShouldBe(v.Type);
            tensors[k].ToDoubles().ShouldBe(v.ToDoubles());
        }
        meta["method"].ShouldBe("simclr");
        Directory.GetFiles(dir).Length.ShouldBe(1);   // no temporary file left behind
    }

    [Fact]
    public void Layout_is_the_published_one()
    {
        var path = Path.Combine(dir, "b.safetensors");
        SafeTensors.Save(path, new Dictionary<string, HostTensor> { ["w"] = HostTensor.F32(new Shape(2), [1.5f, -2f]) });
        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        (n % 8).ShouldBe(0);
        Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd().ShouldBe("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        BitConverter.ToSingle(bytes, 8 + (int)n).ShouldBe(1.5f);
        BitConverter.ToSingle(bytes, 12 + (int)n).ShouldBe(-2f);
    }

    [Fact]
    public void Truncated_file_is_rejected_with_the_fix()
    {
        var path = Path.Combine(dir, "c.safetensors");
        SafeTensors.Save(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var e = Should.Throw<CheckpointException>(() => SafeTensors.Load(path));
        e.Message.ShouldContain("past the end of the");
        e.Message.ShouldContain("the file is truncated; use an earlier checkpoint");
        e.Path.ShouldBe(path);
    }

    [Fact]
    public void Garbage_header_is_rejected()
    {
        var path = Path.Combine(dir, "d.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(4L), .. "{{{{"u8.ToArray()]);
        Should.Throw<CheckpointException>(() => SafeTensors.Load(path)).Message.ShouldContain("not valid JSON");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000L), 1, 2]);
        Should.Throw<CheckpointException>(() => SafeTensors.Load(path)).Message.ShouldContain("truncated");
        Should.Throw<CheckpointException>(() => SafeTensors.Load(Path.Combine(dir, "missing"))).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void A_failed_save_keeps_the_previous_checkpoint()
    {
        var path = Path.Combine(dir, "e.safetensors");
        SafeTensors.Save(path, Sample());
        var before = File.ReadAllBytes(path);
        var bad = Sample();
        bad["__metadata__"] = HostTensor.F32(new Shape(1), [0]);
        Should.Throw<ArgumentException>(() => SafeTensors.Save(path, bad));
        File.ReadAllBytes(path).ShouldBe(before);
        Directory.GetFiles(dir).Length.ShouldBe(1);
    }
}
