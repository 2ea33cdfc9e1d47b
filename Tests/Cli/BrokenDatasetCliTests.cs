using System.IO.Compression;
using Dsl.Models.Data;
using StbImageWriteSharp;

namespace Dsl.Tests.Cli;

/// <summary>A damaged data set stops the command line with one error line naming the file, never a stack trace.</summary>
public sealed class BrokenDatasetCliTests
{
    static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    static byte[] Png()
    {
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(new byte[4 * 4 * 3], 4, 4, StbImageWriteSharp.ColorComponents.RedGreenBlue, ms);
        return ms.ToArray();
    }

    /// <summary>Breaks a data set in <paramref name="root"/> and returns the file the error must name.</summary>
    static string Break(string dataset, string root)
    {
        switch (dataset)
        {
            case "cifar10":
                for (int i = 1; i <= 5; i++) Write(Path.Combine(root, $"data_batch_{i}.bin"), new byte[Cifar10.RecordSize]);
                Write(Path.Combine(root, "data_batch_3.bin"), new byte[Cifar10.RecordSize + 7]);
                return Path.Combine(root, "data_batch_3.bin");
            case "mnist":
                var idx = new byte[16 + 1000 * 4];
                idx[2] = 8; idx[3] = 3; idx[6] = 3; idx[7] = 232; idx[11] = 2; idx[15] = 2;   // magic 2051, 1000 images of 2x2
                using (var ms = new MemoryStream())
                {
                    using (var z = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(idx);
                    var gz = ms.ToArray();
                    Write(Path.Combine(root, "train-images-idx3-ubyte.gz"), gz[..(gz.Length / 2)]);
                }
                return Path.Combine(root, "train-images-idx3-ubyte.gz");
            default:
                Write(Path.Combine(root, "train", "cat", "a.png"), Png());
                Write(Path.Combine(root, "test", "cat", "b.png"), Png());
                return Path.Combine(root, "train");
        }
    }

    [Theory]
    [InlineData("cifar10", "not a whole number of 3073-byte records")]
    [InlineData("mnist", "gzip data is truncated")]
    [InlineData("folder", "only one class folder (cat)")]
    public void Broken_dataset_stops_the_cli_with_one_line_naming_the_file(string dataset, string problem)
    {
        using var dir = new CliProcess.TempFolder();
        string file = Break(dataset, dir["data"]);
        var run = CliProcess.Run(["train", "--method", "simclr", "--dataset", dataset, "--data", dir["data"], "--epochs", "1", "--out", dir["out"]]);
        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.Trim().Split('\n').ShouldHaveSingleItem();
        run.Error.ShouldStartWith("error: ");
        run.Error.ShouldContain(file);
        run.Error.ShouldContain(problem);
        run.Error.ShouldNotContain("Exception");
    }
}
