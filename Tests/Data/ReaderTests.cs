using System.Buffers.Binary;
using Dsl.Models.Data;
using StbImageWriteSharp;

namespace Dsl.Tests.Data;

public sealed class ReaderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("dsl-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] CifarRecord(int labelBytes, byte label, Func<int, int, int, byte> pixel)
    {
        var record = new byte[labelBytes + 3072];
        record[labelBytes - 1] = label;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                    record[labelBytes + c * 1024 + y * 32 + x] = pixel(c, y, x);
        return record;
    }

    [Fact]
    public void Mnist_idx_reads_pixels_row_major_with_labels()
    {
        var images = new byte[16 + 2 * 3 * 4];
        BinaryPrimitives.WriteInt32BigEndian(images, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), 2);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 3);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 4);
        images[16 + 12 + 1 * 4 + 2] = 255; // image 1, row 1, col 2
        var labels = new byte[8 + 2];
        BinaryPrimitives.WriteInt32BigEndian(labels, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), 2);
        labels[9] = 7;
        var data = MnistReader.Read(Write("i", images), Write("l", labels));
        (data.Count, data.Channels, data.Height, data.Width).ShouldBe((2, 1, 3, 4));
        data.Image(1)[1 * 4 + 2].ShouldBe(1f);
        data.Image(1).ToArray().Sum().ShouldBe(1f);
        data.Labels.ShouldBe([0, 7]);
    }

    [Fact]
    public void Mnist_loads_the_repository_fashion_mnist_test_split()
    {
        var data = MnistReader.Load(FashionMnist.FindDataDirectory(), DataSplit.Test, FashionMnist.ClassNames);
        (data.Count, data.Channels, data.Height, data.Width).ShouldBe((10000, 1, 28, 28));
        data.Labels![0].ShouldBe(9); // the first test image is an ankle boot
    }

    [Fact]
    public void Cifar10_reads_all_five_batches_with_planar_rgb()
    {
        for (int f = 1; f <= 5; f++)
            Write($"cifar-10-batches-bin/data_batch_{f}.bin",
                [.. CifarRecord(1, (byte)f, (c, y, x) => (byte)(c == 1 && y == 3 && x == 5 ? 51 * f : 0)), .. CifarRecord(1, 0, (c, y, x) => 0)]);
        var data = Cifar10.Load(_dir, DataSplit.Train);
        (data.Count, data.Channels, data.Height, data.Width).ShouldBe((10, 3, 32, 32));
        data.Labels.ShouldBe([1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
        data.Image(2)[1 * 1024 + 3 * 32 + 5].ShouldBe(102 / 255f);
        data.Image(2).ToArray().Count(v => v != 0).ShouldBe(1);
        data.ClassNames[1].ShouldBe("automobile");
    }

    [Fact]
    public void Cifar10_rejects_truncated_batches_and_bad_labels()
    {
        Write("test_batch.bin", CifarRecord(1, 3, (c, y, x) => 1)[..^1]);
        var e = Should.Throw<DataFileException>(() => Cifar10.Load(_dir, DataSplit.Test));
        e.Path.ShouldEndWith("test_batch.bin");
        e.Message.ShouldContain("truncated");
        e.Message.ShouldContain("cifar-10-binary.tar.gz");
        Write("test_batch.bin", CifarRecord(1, 10, (c, y, x) => 1));
        Should.Throw<DataFileException>(() => Cifar10.Load(_dir, DataSplit.Test)).Message.ShouldContain("label 10");
        Should.Throw<DataFileException>(() => Cifar10.Load(_dir, DataSplit.Train)).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Cifar100_uses_fine_labels()
    {
        var record = CifarRecord(2, 57, (c, y, x) => (byte)(c == 2 && y == 31 && x == 0 ? 255 : 0));
        record[0] = 4; // coarse
        Write("train.bin", record);
        var data = Cifar100.Load(_dir, DataSplit.Train);
        data.Labels.ShouldBe([57]);
        data.ClassNames.Count.ShouldBe(100);
        data.ClassNames[57].ShouldBe("pear");
        data.Image(0)[2 * 1024 + 31 * 32].ShouldBe(1f);
        Write("test.bin", new byte[3075]);
        Should.Throw<DataFileException>(() => Cifar100.Load(_dir, DataSplit.Test)).Path.ShouldEndWith("test.bin");
    }

    [Fact]
    public void Stl10_transposes_column_major_images_and_shifts_labels()
    {
        var x = new byte[2 * Stl10.ImageBytes];
        // image 1, channel 2, row 10, column 70: column-major offset = c·96² + col·96 + row.
        x[Stl10.ImageBytes + 2 * 9216 + 70 * 96 + 10] = 255;
        Write("stl10_binary/train_X.bin", x);
        Write("stl10_binary/train_y.bin", [1, 10]);
        var data = Stl10.Load(_dir, DataSplit.Train);
        (data.Count, data.Channels, data.Height, data.Width).ShouldBe((2, 3, 96, 96));
        data.Labels.ShouldBe([0, 9]);
        data.Image(1)[2 * 9216 + 10 * 96 + 70].ShouldBe(1f);
        data.Image(1).ToArray().Count(v => v != 0).ShouldBe(1);

        Write("stl10_binary/unlabeled_X.bin", x);
        var unlabeled = Stl10.Load(_dir, DataSplit.Unlabeled, maxCount: 1);
        unlabeled.Count.ShouldBe(1);
        unlabeled.Labels.ShouldBeNull();

        Write("stl10_binary/train_y.bin", [1, 0]);
        Should.Throw<DataFileException>(() => Stl10.Load(_dir, DataSplit.Train)).Message.ShouldContain("label 0");
        Write("stl10_binary/train_y.bin", [1]);
        Should.Throw<DataFileException>(() => Stl10.Load(_dir, DataSplit.Train)).Message.ShouldContain("1 labels");
        Write("stl10_binary/test_X.bin", new byte[Stl10.ImageBytes + 5]);
        Should.Throw<DataFileException>(() => Stl10.Load(_dir, DataSplit.Test)).Message.ShouldContain("truncated");
    }

    [Fact]
    public void Image_folder_decodes_sorts_classes_and_resizes()
    {
        byte[] Png(int w, int h, Func<int, int, (byte, byte, byte)> pixel)
        {
            var rgb = new byte[w * h * 3];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    (rgb[(y * w + x) * 3], rgb[(y * w + x) * 3 + 1], rgb[(y * w + x) * 3 + 2]) = pixel(x, y);
            using var ms = new MemoryStream();
            new ImageWriter().WritePng(rgb, w, h, ColorComponents.RedGreenBlue, ms);
            return ms.ToArray();
        }
        Write("root/zebra/a.png", Png(4, 4, (x, y) => (255, 0, 0)));
        Write("root/ant/b.png", Png(8, 8, (x, y) => (0, 0, (byte)(x < 4 ? 0 : 255))));
        Write("root/ant/a.png", Png(4, 4, (x, y) => (x == 1 && y == 2 ? (byte)200 : (byte)0, 0, 0)));
        Write("root/ant/notes.txt", [1, 2, 3]);
        var data = ImageFolder.Load(Path.Combine(_dir, "root"), 4, 4);
        data.ClassNames.ShouldBe(["ant", "zebra"]);
        data.Labels.ShouldBe([0, 0, 1]);
        data.Image(0)[0 * 16 + 2 * 4 + 1].ShouldBe(200 / 255f); // ant/a.png, red at (row 2, col 1)
        var blue = data.Image(1)[(2 * 16)..(3 * 16)].ToArray(); // ant/b.png resized 8→4: left half 0, right half 1
        blue[0].ShouldBe(0f);
        blue[3].ShouldBe(1f);
        data.Image(2)[0].ShouldBe(1f);

        var grey = ImageFolder.Load(Path.Combine(_dir, "root"), 2, 2, channels: 1);
        grey.Channels.ShouldBe(1);

        Write("root/zebra/broken.jpg", [0xFF, 0xD8, 0xFF, 0x00, 0x01]);
        var e = Should.Throw<DataFileException>(() => ImageFolder.Load(Path.Combine(_dir, "root"), 4, 4));
        e.Path.ShouldEndWith("broken.jpg");
        Should.Throw<DataFileException>(() => ImageFolder.Load(Path.Combine(_dir, "missing"), 4, 4)).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Fashion_mnist_splits_are_labelled_one_channel_datasets_named_by_class()
    {
        var data = FashionMnist.Load();
        foreach (var split in new[] { data.Train, data.Test })
        {
            (split.Channels, split.Height, split.Width).ShouldBe((1, 28, 28));
            split.ClassNames.ShouldBe(FashionMnist.ClassNames);
            split.Labels!.Length.ShouldBe(split.Count);
        }
    }
}
