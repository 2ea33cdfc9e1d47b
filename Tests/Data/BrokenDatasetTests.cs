using System.Buffers.Binary;
using System.IO.Compression;
using Dsl.Models.Data;
using StbImageWriteSharp;

namespace Dsl.Tests.Data;

/// <summary>
/// Every reader refuses damaged data with a <see cref="DataFileException"/> that names the file (and
/// the offset or record where it helps): never an unhandled exception or an index out of range later
/// in a loader. Each test builds its own broken files in a temporary folder.
/// </summary>
public sealed class BrokenDatasetTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("broken-data-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var f = File.Create(path);
        using var z = new GZipStream(f, CompressionLevel.Fastest);
        z.Write(bytes);
        return path;
    }

    static byte[] Idx(int magic, int[] dims, int payload)
    {
        var bytes = new byte[4 + 4 * dims.Length + payload];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        for (int i = 4 + 4 * dims.Length; i < bytes.Length; i++) bytes[i] = (byte)(i % 10);
        return bytes;
    }

    static byte[] Images(int count, int payload = -1) => Idx(IdxReader.ImagesMagic, [count, 2, 2], payload < 0 ? count * 4 : payload);
    static byte[] Labels(int count) => Idx(IdxReader.LabelsMagic, [count], count);

    static byte[] Png(int w, int h, byte value = 128)
    {
        var rgb = Enumerable.Repeat(value, w * h * 3).ToArray();
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(rgb, w, h, StbImageWriteSharp.ColorComponents.RedGreenBlue, ms);
        return ms.ToArray();
    }

    static DataFileException Refused(string path, Action read)
    {
        var e = Should.Throw<DataFileException>(read);
        e.Path.ShouldBe(path);
        e.Message.ShouldContain(path);
        return e;
    }

    // IDX (MNIST, Fashion-MNIST)

    [Fact]
    public void Idx_images_with_a_wrong_magic_number_are_rejected()
    {
        var bytes = Images(2);
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x1234);
        var path = Write("train-images-idx3-ubyte", bytes);
        Refused(path, () => IdxReader.ReadImages(path)).Message.ShouldContain("magic number is 4660 (0x00001234) but an IDX images file starts with 2051");
    }

    [Fact]
    public void Idx_images_file_given_as_labels_is_rejected_as_swapped()
    {
        var path = Write("labels.gz", Images(2), gzip: true);
        Refused(path, () => IdxReader.ReadLabels(path)).Message.ShouldContain("were the images and labels files swapped?");
    }

    [Fact]
    public void Idx_gz_truncated_mid_stream_is_rejected()
    {
        var good = Write("full.gz", Images(500), gzip: true);
        var bytes = File.ReadAllBytes(good);
        var path = Write("train-images-idx3-ubyte.gz", bytes[..(bytes.Length / 2)]);
        var e = Refused(path, () => IdxReader.ReadImages(path));
        e.Message.ShouldContain("gzip");
        e.Message.ShouldContain("truncated");
    }

    [Fact]
    public void Idx_gz_with_a_damaged_trailer_is_rejected()
    {
        // The deflate data is whole but the trailer's size no longer matches it.
        var good = Write("full.gz", Images(50), gzip: true);
        var bytes = File.ReadAllBytes(good);
        bytes[^1] ^= 0x40;
        var path = Write("damaged.gz", bytes);
        Refused(path, () => IdxReader.ReadImages(path)).Message.ShouldContain("gzip");
    }

    [Fact]
    public void Idx_images_with_fewer_bytes_than_declared_are_rejected()
    {
        var path = Write("short", Images(5, payload: 13));
        Refused(path, () => IdxReader.ReadImages(path)).Message.ShouldContain("declares 5 images of 2x2 pixels (20 bytes after the header) but only 13 are present");
    }

    [Fact]
    public void Idx_images_with_trailing_bytes_are_rejected()
    {
        var path = Write("long", Images(5, payload: 23));
        Refused(path, () => IdxReader.ReadImages(path)).Message.ShouldContain("3 unexpected trailing bytes");
    }

    [Fact]
    public void Idx_header_whose_pixel_count_overflows_is_rejected()
    {
        // 2^21 · 2^21 · 2^22 pixels = 2^64, which wraps to 0 in int64 arithmetic and would match an empty payload.
        var path = Write("huge", Idx(IdxReader.ImagesMagic, [1 << 21, 1 << 21, 1 << 22], 0));
        Refused(path, () => IdxReader.ReadImages(path)).Message.ShouldContain("2097152 images of 2097152x4194304 pixels");
    }

    [Fact]
    public void Idx_label_count_not_matching_image_count_is_rejected()
    {
        var images = Write("train-images-idx3-ubyte", Images(3));
        var labels = Write("train-labels-idx1-ubyte", Labels(2));
        Refused(labels, () => MnistReader.Read(images, labels)).Message.ShouldContain($"'{images}' holds 3 images but '{labels}' holds 2 labels");
    }

    [Fact]
    public void Mnist_label_out_of_range_is_rejected_with_its_index()
    {
        var images = Write("t10k-images-idx3-ubyte", Images(3));
        var bytes = Labels(3);
        bytes[8 + 1] = 200;
        var labels = Write("t10k-labels-idx1-ubyte", bytes);
        Refused(labels, () => MnistReader.Load(dir, DataSplit.Test)).Message.ShouldContain("label 200 at index 1; this data set's labels are 0 to 9");
    }

    [Fact]
    public void Fashion_mnist_folder_with_mismatched_label_count_is_rejected()
    {
        Write("fm/train-images-idx3-ubyte.gz", Images(4), gzip: true);
        var labels = Write("fm/train-labels-idx1-ubyte.gz", Labels(3), gzip: true);
        Refused(labels, () => FashionMnist.Load(Path.Combine(dir, "fm"))).Message.ShouldContain("holds 4 images but");
    }

    [Fact]
    public void Fashion_mnist_label_out_of_range_is_rejected_with_its_index()
    {
        Write("fm/train-images-idx3-ubyte", Images(3));
        var bytes = Labels(3);
        bytes[8 + 2] = 10;
        var labels = Write("fm/train-labels-idx1-ubyte", bytes);
        Refused(labels, () => FashionMnist.Load(Path.Combine(dir, "fm"))).Message.ShouldContain("label 10 at index 2");
    }

    // CIFAR and STL-10 binary records

    [Fact]
    public void Cifar10_batch_with_a_partial_record_is_rejected()
    {
        var path = Write("test_batch.bin", new byte[2 * Cifar10.RecordSize + 100]);
        Refused(path, () => Cifar10.Load(dir, DataSplit.Test)).Message.ShouldContain("2 records and 100 bytes left over");
    }

    [Fact]
    public void Cifar100_file_of_cifar10_records_is_rejected_naming_the_other_format()
    {
        var path = Write("test.bin", new byte[3 * Cifar10.RecordSize]);
        var e = Refused(path, () => Cifar100.Load(dir, DataSplit.Test));
        e.Message.ShouldContain("3073-byte records of CIFAR-10");
    }

    [Fact]
    public void Cifar_empty_batch_is_rejected()
    {
        var path = Write("test_batch.bin", []);
        Refused(path, () => Cifar10.Load(dir, DataSplit.Test)).Message.ShouldContain("is empty");
    }

    [Fact]
    public void Cifar100_coarse_label_out_of_range_is_rejected_with_its_record()
    {
        var bytes = new byte[2 * Cifar100.RecordSize];
        bytes[Cifar100.RecordSize] = 25;
        var path = Write("train.bin", bytes);
        Refused(path, () => Cifar100.Load(dir, DataSplit.Train)).Message.ShouldContain("coarse label 25 in record 1");
    }

    [Fact]
    public void Stl10_images_with_a_partial_record_are_rejected()
    {
        var path = Write("test_X.bin", new byte[Stl10.ImageBytes * 2 - 1]);
        Write("test_y.bin", [1, 2]);
        Refused(path, () => Stl10.Load(dir, DataSplit.Test)).Message.ShouldContain("1 records and 27647 bytes left over");
    }

    [Fact]
    public void Stl10_label_count_not_matching_image_count_is_rejected()
    {
        Write("train_X.bin", new byte[Stl10.ImageBytes * 2]);
        var labels = Write("train_y.bin", [1, 2, 3]);
        Refused(labels, () => Stl10.Load(dir, DataSplit.Train)).Message.ShouldContain("holds 2 images but");
    }

    [Fact]
    public void Stl10_missing_label_file_is_named()
    {
        Write("train_X.bin", new byte[Stl10.ImageBytes]);
        var labels = Path.Combine(dir, "train_y.bin");
        Refused(labels, () => Stl10.Load(dir, DataSplit.Train)).Message.ShouldContain("does not exist");
    }

    // Image folders

    string Folder(params (string Path, byte[] Bytes)[] files)
    {
        foreach (var (path, bytes) in files) Write(Path.Combine("root", path), bytes);
        return Path.Combine(dir, "root");
    }

    [Fact]
    public void Image_folder_with_an_undecodable_image_is_rejected()
    {
        var root = Folder(("cat/a.png", Png(4, 4)), ("dog/b.png", "not a png"u8.ToArray()));
        var e = Refused(Path.Combine(root, "dog", "b.png"), () => ImageFolder.Load(root, 4, 4));
        e.Message.ShouldContain("Cannot decode image");
    }

    [Fact]
    public void Image_folder_with_a_truncated_png_is_rejected()
    {
        var png = Png(16, 16);
        var root = Folder(("cat/a.png", Png(4, 4)), ("dog/cut.png", png[..(png.Length / 2)]));
        Refused(Path.Combine(root, "dog", "cut.png"), () => ImageFolder.Load(root, 4, 4));
    }

    [Fact]
    public void Image_folder_with_an_empty_image_file_is_rejected()
    {
        var root = Folder(("cat/a.png", Png(4, 4)), ("dog/empty.jpg", []));
        Refused(Path.Combine(root, "dog", "empty.jpg"), () => ImageFolder.Load(root, 4, 4)).Message.ShouldContain("is empty");
    }

    [Fact]
    public void Image_folder_with_an_image_declaring_absurd_dimensions_is_rejected_before_decoding()
    {
        // A valid PNG signature and IHDR claiming 10000 x 10000 pixels (1.2 GB as floats), then nothing.
        var png = Png(1, 1);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 10000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 10000);
        var root = Folder(("cat/a.png", Png(4, 4)), ("dog/bomb.png", png));
        Refused(Path.Combine(root, "dog", "bomb.png"), () => ImageFolder.Load(root, 4, 4)).Message.ShouldContain("10000x10000 pixels, more than the 67,108,864");
    }

    [Fact]
    public void Image_folder_with_odd_sized_images_resizes_them_all()
    {
        // 1x1, 1x31 and 7x3 images are valid; each is resized to the requested size.
        var root = Folder(("cat/a.png", Png(1, 1, 255)), ("cat/b.png", Png(1, 31, 0)), ("dog/c.png", Png(7, 3, 255)));
        var data = ImageFolder.Load(root, 5, 5);
        (data.Count, data.Height, data.Width).ShouldBe((3, 5, 5));
        data.Image(0).ToArray().ShouldAllBe(v => v == 1f);
        data.Image(1).ToArray().ShouldAllBe(v => v == 0f);
        data.Image(2).ToArray().ShouldAllBe(v => v == 1f);
    }

    [Fact]
    public void Image_folder_with_an_empty_class_folder_is_rejected_naming_it()
    {
        var root = Folder(("cat/a.png", Png(4, 4)), ("dog/b.png", Png(4, 4)), ("emu/readme.txt", [1]));
        Directory.CreateDirectory(Path.Combine(root, "fox"));
        var e = Refused(root, () => ImageFolder.Load(root, 4, 4));
        e.Message.ShouldContain("2 class folders without images: emu, fox");
    }

    [Fact]
    public void Image_folder_with_one_class_is_rejected()
    {
        var root = Folder(("cat/a.png", Png(4, 4)), ("cat/b.png", Png(4, 4)));
        Refused(root, () => ImageFolder.Load(root, 4, 4)).Message.ShouldContain("only one class folder (cat)");
    }

    [Fact]
    public void Image_folder_ignores_hidden_folders()
    {
        var root = Folder(("cat/a.png", Png(4, 4)), ("dog/b.png", Png(4, 4)));
        Directory.CreateDirectory(Path.Combine(root, ".ipynb_checkpoints"));
        ImageFolder.Load(root, 4, 4).ClassNames.ShouldBe(["cat", "dog"]);
    }
}
