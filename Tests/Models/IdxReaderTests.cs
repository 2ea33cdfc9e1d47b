using System.IO.Compression;
using Dsl.Models.Data;

namespace Dsl.Tests.Models;

/// <summary>The IDX reader reads good files and rejects bad ones with a message naming the file and the fix.</summary>
public sealed class IdxReaderTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("idx").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static byte[] Header(int magic, params int[] dims)
    {
        var b = new List<byte>();
        foreach (var v in new[] { magic }.Concat(dims)) b.AddRange(BitConverter.GetBytes(v).Reverse());
        return b.ToArray();
    }

    string Write(string name, byte[] bytes, bool gzip)
    {
        var path = Path.Combine(dir, name);
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var f = File.Create(path);
        using var z = new GZipStream(f, CompressionLevel.Fastest);
        z.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_images_and_labels(bool gzip)
    {
        var img = Write("img" + (gzip ? ".gz" : ""), [.. Header(2051, 2, 2, 3), .. Enumerable.Range(0, 12).Select(i => (byte)i)], gzip);
        var lab = Write("lab" + (gzip ? ".gz" : ""), [.. Header(2049, 2), 7, 9], gzip);
        var images = IdxReader.ReadImages(img);
        (images.Count, images.Rows, images.Cols).ShouldBe((2, 2, 3));
        images.Pixels[11].ShouldBe((byte)11);
        IdxReader.ReadLabels(lab).ShouldBe(new byte[] { 7, 9 });
    }

    [Fact]
    public void Truncated_file_names_the_file_and_the_fix()
    {
        var img = Write("short", [.. Header(2051, 5, 2, 2), 1, 2, 3], gzip: false);
        var e = Should.Throw<DataFileException>(() => IdxReader.ReadImages(img));
        e.Message.ShouldContain("short");
        e.Path.ShouldBe(img);
    }

    [Fact]
    public void Labels_file_given_as_images_is_rejected()
    {
        var lab = Write("labels-as-images", [.. Header(2049, 12), .. new byte[12]], gzip: false);
        Should.Throw<DataFileException>(() => IdxReader.ReadImages(lab)).Message.ShouldContain("2049");
    }

    [Fact]
    public void Corrupt_gzip_is_rejected()
    {
        var bad = Write("bad.gz", [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], gzip: false);
        Should.Throw<DataFileException>(() => IdxReader.ReadImages(bad)).Message.ShouldContain("bad.gz");
    }

    [Fact]
    public void Missing_folder_says_where_to_get_the_data()
    {
        var e = Should.Throw<DataFileException>(() => FashionMnist.Load(Path.Combine(dir, "nowhere")));
        e.Message.ShouldContain("nowhere");
    }

    [Fact]
    public void Embedded_dataset_loads_with_the_published_sizes()
    {
        var data = FashionMnist.Load();
        (data.Train.Count, data.Test.Count, data.Train.Height, data.Train.Width).ShouldBe((60000, 10000, 28, 28));
        data.Train.Pixels.Max().ShouldBeLessThanOrEqualTo(1f);
        data.Test.Labels!.Distinct().Count().ShouldBe(10);
    }
}
