using System.Buffers.Binary;
using System.Text;
using Dsl.Execution;
using Dsl.Models.Checkpoints;

namespace Dsl.Tests.Checkpoints;

/// <summary>
/// The safetensors reader refuses every malformed header the format's reference reader refuses,
/// each with a message naming the file, the tensor and the problem. Files are built here byte by byte.
/// </summary>
public sealed class HostileCheckpointTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("hostile-ckpt").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A file of an 8-byte length, the given header bytes and a data buffer.</summary>
    string Write(byte[] header, int dataBytes = 0, ulong? declaredLength = null)
    {
        var path = Path.Combine(dir, $"{Guid.NewGuid():N}.safetensors");
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    string Write(string header, int dataBytes = 0) => Write(Encoding.UTF8.GetBytes(header), dataBytes);

    /// <summary>The reader's error, checked to name the file.</summary>
    static CheckpointException Rejected(string path)
    {
        var e = Should.Throw<CheckpointException>(() => SafeTensors.Load(path));
        e.Path.ShouldBe(path);
        e.Message.ShouldContain(path);
        return e;
    }

    static string F32(string name, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void A_well_formed_file_with_tensors_out_of_offset_order_loads()
    {
        // The header's key order need not follow the data; zero-element tensors take no bytes.
        var path = Write("{" + F32("b", "[1]", 8, 12) + "," + F32("a", "[2]", 0, 8) + "," + F32("empty", "[0,3]", 12, 12) + "}", dataBytes: 12);
        var (tensors, _) = SafeTensors.Load(path);
        tensors["a"].Shape.ShouldBe(new Shape(2));
        tensors["b"].Shape.ShouldBe(new Shape(1));
        tensors["empty"].Shape.Numel.ShouldBe(0);
    }

    [Fact]
    public void Checkpoint_with_header_over_100_MB_is_rejected()
    {
        var e = Rejected(Write("{}"u8.ToArray(), declaredLength: 100_000_001));
        e.Message.ShouldContain("100000001-byte header, over the 100 MB");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Checkpoint_with_header_under_2_bytes_is_rejected(int length)
    {
        var e = Rejected(Write("{}"u8.ToArray()[..length]));
        e.Message.ShouldContain($"{length}-byte header, under the 2 bytes");
    }

    [Fact]
    public void Checkpoint_shorter_than_its_header_length_is_rejected()
    {
        var e = Rejected(Write("{}"u8.ToArray(), declaredLength: 64));
        e.Message.ShouldContain("declares a 64-byte header but holds 10 bytes");
    }

    [Theory]
    [InlineData("[{}]")]
    [InlineData(" {}")]
    [InlineData("\"{}\"")]
    public void Checkpoint_header_not_starting_with_a_brace_is_rejected(string header)
    {
        var e = Rejected(Write(header));
        e.Message.ShouldContain("does not start with '{'");
    }

    [Fact]
    public void Checkpoint_with_invalid_utf8_in_its_header_is_rejected()
    {
        byte[] header = [.. "{\"w"u8, 0xff, 0xfe, .. "\":{}}"u8];
        var e = Rejected(Write(header));
        e.Message.ShouldContain("not valid UTF-8 (at file offset 11)");
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",")]
    [InlineData("{\"w\" {}}")]
    [InlineData("{} trailing")]
    public void Checkpoint_with_invalid_json_header_is_rejected(string header)
    {
        var e = Rejected(Write(header));
        e.Message.ShouldContain("not valid JSON");
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "'w' twice in its header")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'dtype' twice in tensor 'w'")]
    [InlineData("{\"__metadata__\":{\"step\":\"1\",\"step\":\"2\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'step' twice in '__metadata__'")]
    public void Checkpoint_with_duplicate_keys_is_rejected(string header, string message)
    {
        var e = Rejected(Write(header, dataBytes: 8));
        e.Message.ShouldContain(message);
    }

    [Fact]
    public void Checkpoint_with_unknown_dtype_is_rejected()
    {
        var e = Rejected(Write("{\"w\":{\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,8]}}", dataBytes: 8));
        e.Message.ShouldContain("tensor 'w' with unknown dtype 'F12'");
    }

    [Fact]
    public void Checkpoint_with_a_known_dtype_this_version_does_not_store_is_refused_with_the_fix()
    {
        var e = Rejected(Write("{\"w\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", dataBytes: 8));
        e.Message.ShouldContain("stores 'w' as BF16");
        e.Message.ShouldContain("tensor.float()");
    }

    [Theory]
    [InlineData("[65536,65536,65536,65536,4]", 0)]        // 2^66 elements wrap to 0 in unchecked int64 arithmetic
    [InlineData("[4611686018427387904]", 0)]              // 2^62 elements are 2^64 bytes of F32
    [InlineData("[3037000500,3037000500,2]", 16)]
    public void Checkpoint_with_a_shape_whose_size_overflows_is_rejected(string shape, int end)
    {
        var e = Rejected(Write("{" + F32("huge", shape, 0, end) + "}", dataBytes: end));
        e.Message.ShouldContain($"tensor 'huge' shape {shape} of F32, whose size overflows 64 bits");
    }

    [Fact]
    public void Checkpoint_with_a_negative_dimension_is_rejected()
    {
        var e = Rejected(Write("{" + F32("w", "[-2]", 0, 0) + "}"));
        e.Message.ShouldContain("tensor 'w' a shape with the number -2");
    }

    [Fact]
    public void Checkpoint_with_negative_offsets_is_rejected()
    {
        var e = Rejected(Write("{" + F32("w", "[2]", -8, 0) + "}", dataBytes: 8));
        e.Message.ShouldContain("tensor 'w' negative data_offsets [-8,0]");
    }

    [Fact]
    public void Checkpoint_with_reversed_offsets_is_rejected()
    {
        var e = Rejected(Write("{" + F32("w", "[2]", 8, 0) + "}", dataBytes: 8));
        e.Message.ShouldContain("tensor 'w' reversed data_offsets [8,0]");
    }

    [Fact]
    public void Checkpoint_with_offsets_past_the_end_is_rejected()
    {
        var e = Rejected(Write("{" + F32("w", "[4]", 0, 16) + "}", dataBytes: 8));
        e.Message.ShouldContain("places tensor 'w' at bytes 0..16, past the end of the 8-byte data buffer");
    }

    [Theory]
    [InlineData("[2]", 12)]
    [InlineData("[2,2]", 8)]
    public void Checkpoint_with_offsets_not_matching_dtype_and_shape_is_rejected(string shape, int end)
    {
        var e = Rejected(Write("{" + F32("w", shape, 0, end) + "}", dataBytes: end));
        e.Message.ShouldContain($"tensor 'w' {end} bytes (0..{end}) but its dtype and shape (F32 {shape}) need");
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("[0]")]
    [InlineData("[0,\"8\"]")]
    [InlineData("[0,8.5]")]
    public void Checkpoint_with_malformed_offsets_is_rejected(string offsets)
    {
        var e = Rejected(Write("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + offsets + "}}", dataBytes: 8));
        e.Message.ShouldContain($"tensor 'w' data_offsets {offsets}; they must be two integers");
    }

    [Fact]
    public void Checkpoint_with_overlapping_offsets_is_rejected()
    {
        // Every tensor points at the same bytes: each would read the others' values.
        var e = Rejected(Write("{" + F32("a", "[2]", 0, 8) + "," + F32("b", "[2]", 0, 8) + "," + F32("c", "[2]", 0, 8) + "}", dataBytes: 8));
        e.Message.ShouldContain("tensors 'a' (bytes 0..8) and 'b' (bytes 0..8) overlapping data");
    }

    [Fact]
    public void Checkpoint_with_a_gap_between_tensors_is_rejected()
    {
        var e = Rejected(Write("{" + F32("a", "[1]", 0, 4) + "," + F32("b", "[1]", 8, 12) + "}", dataBytes: 12));
        e.Message.ShouldContain("leaves bytes 4..8 of the data buffer to no tensor (before 'b')");
    }

    [Fact]
    public void Checkpoint_with_bytes_after_the_last_tensor_is_rejected()
    {
        var e = Rejected(Write("{" + F32("a", "[1]", 0, 4) + "}", dataBytes: 12));
        e.Message.ShouldContain("12-byte data buffer but its tensors cover 4 bytes");
    }

    [Theory]
    [InlineData("{\"step\":7}", "metadata 'step' that is the number 7, not a string")]
    [InlineData("{\"tags\":[\"a\"]}", "metadata 'tags' that is an array, not a string")]
    [InlineData("{\"ok\":null}", "metadata 'ok' that is null, not a string")]
    [InlineData("[\"step\"]", "'__metadata__' that is an array, not an object of strings")]
    public void Checkpoint_with_metadata_values_that_are_not_strings_is_rejected(string metadata, string message)
    {
        var e = Rejected(Write("{\"__metadata__\":" + metadata + "," + F32("w", "[1]", 0, 4) + "}", dataBytes: 4));
        e.Message.ShouldContain(message);
    }

    [Theory]
    [InlineData("{\"w\":[1]}", "describes tensor 'w' with an array")]
    [InlineData("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "gives tensor 'w' no 'dtype'")]
    [InlineData("{\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", "gives tensor 'w' a 'dtype' that is the number 5")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "gives tensor 'w' no 'shape'")]
    public void Checkpoint_with_an_incomplete_tensor_entry_is_rejected(string header, string message)
    {
        var e = Rejected(Write(header, dataBytes: 4));
        e.Message.ShouldContain(message);
    }

    [Fact]
    public void Checkpoint_with_random_byte_flips_loads_or_is_rejected_and_never_throws_anything_else()
    {
        var good = Path.Combine(dir, "good.safetensors");
        SafeTensors.Save(good, new Dictionary<string, HostTensor>
        {
            ["a.weight"] = HostTensor.F32(new Shape(3, 2), [1, 2, 3, 4, 5, 6]),
            ["b"] = HostTensor.I64(new Shape(2), [7, 8]),
        }, new Dictionary<string, string> { ["step"] = "3" });
        var original = File.ReadAllBytes(good);
        var random = new Random(14);
        int rejected = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(trial % 2 == 0 ? 8 + 40 : bytes.Length)] = (byte)random.Next(256);   // half the trials aim at the length and header start
            var path = Path.Combine(dir, "mutated.safetensors");
            File.WriteAllBytes(path, bytes);
            try
            {
                SafeTensors.Load(path);
            }
            catch (CheckpointException e)
            {
                e.Path.ShouldBe(path);
                rejected++;
            }
        }
        rejected.ShouldBeGreaterThan(100);
    }
}
