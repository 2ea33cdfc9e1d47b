namespace Dsl.Models.Data;

/// <summary>
/// Fashion-MNIST (Zalando, MIT licence): 60,000 training and 10,000 test greyscale images of
/// 28×28 pixels in 10 clothing classes, read from the four standard IDX files (gzip or raw).
/// </summary>
public sealed class FashionMnist
{
    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>File name of the training images, as distributed.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte.gz";

    /// <summary>File name of the training labels, as distributed.</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte.gz";

    /// <summary>File name of the test images, as distributed.</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte.gz";

    /// <summary>File name of the test labels, as distributed.</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte.gz";

    /// <summary>Class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    FashionMnist(string directory, ImageDataset train, ImageDataset test)
    {
        Directory = directory;
        Train = train;
        Test = test;
    }

    /// <summary>The folder the files were read from.</summary>
    public string Directory { get; }

    /// <summary>The 60,000 training examples (one channel, labelled, with <see cref="ClassNames"/>).</summary>
    public ImageDataset Train { get; }

    /// <summary>The 10,000 test examples.</summary>
    public ImageDataset Test { get; }

    /// <summary>
    /// Loads both splits from <paramref name="directory"/>, or from the repository's <c>data/</c>
    /// folder (see <see cref="FindDataDirectory"/>) when it is null. Each file may be gzip
    /// compressed (<c>.gz</c>, as distributed) or raw (the same name without <c>.gz</c>).
    /// </summary>
    /// <exception cref="DataFileException">The folder or a file is missing, or a file is damaged.</exception>
    public static FashionMnist Load(string? directory = null)
    {
        directory ??= FindDataDirectory();
        if (!System.IO.Directory.Exists(directory))
            throw new DataFileException(directory,
                $"Data folder '{directory}' does not exist. Pass the folder holding {TrainImagesFile} and the other Fashion-MNIST files " +
                "(e.g. /usr/share/datasets/fashion-mnist), or copy those files into it.");
        var train = MnistReader.Load(directory, DataSplit.Train, ClassNames);
        var test = MnistReader.Load(directory, DataSplit.Test, ClassNames);
        if (train.Height != test.Height || train.Width != test.Width)
            throw new DataFileException(directory,
                $"Training images are {train.Height}x{train.Width} but test images are {test.Height}x{test.Width} in '{directory}'. {IdxReader.FixHint}");
        return new FashionMnist(System.IO.Path.GetFullPath(directory), train, test);
    }

    /// <summary>
    /// The repository's <c>data/</c> folder: walks up from the application's base directory until a
    /// folder holds <c>data/train-images-idx3-ubyte.gz</c>.
    /// </summary>
    /// <exception cref="DataFileException">No such folder above the application.</exception>
    public static string FindDataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "data");
            if (File.Exists(System.IO.Path.Combine(candidate, TrainImagesFile))) return candidate;
        }
        throw new DataFileException(AppContext.BaseDirectory,
            $"No data/{TrainImagesFile} found in any folder above '{AppContext.BaseDirectory}'. Pass the Fashion-MNIST folder " +
            "explicitly (e.g. --data /usr/share/datasets/fashion-mnist) or copy the four .gz files into the repository's data/ folder.");
    }
}
