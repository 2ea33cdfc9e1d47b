using System.CommandLine;
using Dsl.Models.Data;

namespace Dsl.Cli;

/// <summary>
/// The data a command works on: images to pretrain on (unlabelled for STL-10), labelled training
/// images (probe, kNN bank, supervised training) and the labelled test set.
/// </summary>
/// <param name="Title">Display name.</param>
/// <param name="Pretrain">Images for self-supervised pretraining.</param>
/// <param name="Train">Labelled training images.</param>
/// <param name="Test">Labelled test images.</param>
sealed record CliData(string Title, ImageDataset Pretrain, ImageDataset Train, ImageDataset Test)
{
    /// <summary>The data sets <c>--dataset</c> accepts.</summary>
    public static readonly string[] Names = ["fashion-mnist", "mnist", "cifar10", "cifar100", "stl10", "folder"];

    /// <summary>STL-10's unlabelled split is 11 GB as floats: without <c>--limit</c>, pretraining reads this many of its images.</summary>
    public const int Stl10UnlabeledDefault = 20000;

    /// <summary>Loads <paramref name="dataset"/> from <paramref name="path"/> (the repository's data/ for Fashion-MNIST when null).</summary>
    /// <param name="dataset">One of <see cref="Names"/>.</param>
    /// <param name="path">The data folder.</param>
    /// <param name="imageSize">Side of the square images a <c>folder</c> data set is resized to.</param>
    /// <param name="limit">Pretrain on only the first N images (the labelled splits stay whole).</param>
    /// <exception cref="CliException">A data set that needs <c>--data</c> got none, or an unknown name.</exception>
    /// <exception cref="DataFileException">A file is missing or damaged.</exception>
    public static CliData Load(string dataset, string? path, int imageSize, int? limit)
    {
        string Required() => path ?? throw new CliException(
            $"--dataset {dataset} needs --data PATH: the folder holding its files ({Where(dataset)}). Only fashion-mnist is embedded (data/).");
        (string title, ImageDataset train, ImageDataset test, ImageDataset? unlabeled) = dataset switch
        {
            "fashion-mnist" => FashionMnistData(path),
            "mnist" => ("MNIST", MnistReader.Load(Required(), DataSplit.Train), MnistReader.Load(Required(), DataSplit.Test), null),
            "cifar10" => ("CIFAR-10", Cifar10.Load(Required(), DataSplit.Train), Cifar10.Load(Required(), DataSplit.Test), null),
            "cifar100" => ("CIFAR-100", Cifar100.Load(Required(), DataSplit.Train), Cifar100.Load(Required(), DataSplit.Test), null),
            "stl10" => ("STL-10", Stl10.Load(Required(), DataSplit.Train), Stl10.Load(Required(), DataSplit.Test),
                Stl10.Load(Required(), DataSplit.Unlabeled, limit ?? Stl10UnlabeledDefault)),
            "folder" => FolderData(Required(), imageSize),
            _ => throw new CliException($"Unknown --dataset '{dataset}': use {string.Join(", ", Names)}."),
        };
        // STL-10 pretrains on its unlabelled split plus the labelled training images, as the references do.
        var pretrain = unlabeled is null ? train : Concat(unlabeled, train);
        if (limit is int n) pretrain = Limit(pretrain, n);
        return new CliData(title, pretrain, train, test);
    }

    /// <summary>The first <paramref name="n"/> images (all when there are fewer).</summary>
    /// <exception cref="CliException"><paramref name="n"/> is not positive.</exception>
    public static ImageDataset Limit(ImageDataset images, int n) =>
        n > 0 ? images.Take(Math.Min(n, images.Count)) : throw new CliException($"--limit must be positive, got {n}.");

    static (string, ImageDataset, ImageDataset, ImageDataset?) FashionMnistData(string? path)
    {
        var data = FashionMnist.Load(path);
        return ("Fashion-MNIST", data.Train, data.Test, null);
    }

    static (string, ImageDataset, ImageDataset, ImageDataset?) FolderData(string root, int size)
    {
        if (size <= 0) throw new CliException($"--image-size must be positive, got {size}.");
        string train = Path.Combine(root, "train"), test = Path.Combine(root, "test");
        if (!Directory.Exists(train) || !Directory.Exists(test))
            throw new CliException($"--dataset folder expects '{root}' to hold train/ and test/, each with one sub-folder of images per class " +
                "(train/cat/1.png, test/cat/7.jpg, ...); " + (Directory.Exists(root) ? "one of them is missing." : "the folder does not exist."));
        var trainSet = ImageFolder.Load(train, size, size);
        var testSet = ImageFolder.Load(test, size, size);
        if (!trainSet.ClassNames.SequenceEqual(testSet.ClassNames))
            throw new CliException($"'{train}' and '{test}' have different class folders ({string.Join(",", trainSet.ClassNames)} vs {string.Join(",", testSet.ClassNames)}): give both the same classes.");
        return ($"folder {Path.GetFileName(Path.GetFullPath(root))}", trainSet, testSet, null);
    }

    static ImageDataset Concat(ImageDataset a, ImageDataset b)
    {
        var pixels = new float[((long)a.Count + b.Count) * a.ImageSize];
        a.Pixels.AsSpan(0, a.Count * a.ImageSize).CopyTo(pixels);
        b.Pixels.AsSpan(0, b.Count * b.ImageSize).CopyTo(pixels.AsSpan(a.Count * a.ImageSize));
        return new ImageDataset(pixels, a.Count + b.Count, a.Channels, a.Height, a.Width, labels: null, a.ClassNames);
    }

    static string Where(string dataset) => dataset switch
    {
        "mnist" => "train-images-idx3-ubyte.gz and the other three IDX files",
        "cifar10" => "cifar-10-batches-bin with data_batch_1.bin .. test_batch.bin",
        "cifar100" => "cifar-100-binary with train.bin and test.bin",
        "stl10" => "stl10_binary with train_X.bin, test_X.bin, unlabeled_X.bin and the _y.bin labels",
        "folder" => "train/ and test/ with one sub-folder of images per class",
        _ => "its files",
    };

    /// <summary>The <c>--dataset</c> option.</summary>
    public static Option<string> DatasetOption(string? defaultValue = "fashion-mnist")
    {
        var o = new Option<string>("--dataset")
        {
            Description = "fashion-mnist (embedded in data/), mnist, cifar10, cifar100 (binary versions), stl10 (binary; pretrains on the unlabelled split) " +
                "or folder (train/ and test/ of class sub-folders, PNG/JPEG). All but fashion-mnist need --data.",
        };
        if (defaultValue is not null) o.DefaultValueFactory = _ => defaultValue;
        o.AcceptOnlyFromAmong(Names);
        return o;
    }

    /// <summary>The <c>--image-size</c> option (folder data sets).</summary>
    public static Option<int> ImageSizeOption() =>
        new("--image-size") { Description = "--dataset folder: side of the square images every file is resized to (RGB).", DefaultValueFactory = _ => 32, HelpName = "PIXELS" };
}
