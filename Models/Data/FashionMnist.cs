namespace Dsl.Models.Data;

/// <summary>
/// One split of an MNIST-style data set: images as float pixels in [0, 1] and class labels.
/// </summary>
public sealed class ImageSplit
{
    /// <summary>Creates a split from pixel bytes (scaled by 1/255) and labels.</summary>
    /// <exception cref="ArgumentException">The counts disagree.</exception>
    public ImageSplit(IdxImages images, byte[] labels)
    {
        if (images.Count != labels.Length)
            throw new ArgumentException($"{images.Count} images but {labels.Length} labels.");
        Count = images.Count;
        Rows = images.Rows;
        Cols = images.Cols;
        Pixels = new float[images.Pixels.Length];
        for (int i = 0; i < Pixels.Length; i++) Pixels[i] = images.Pixels[i] / 255f;
        Labels = labels;
    }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>Image height.</summary>
    public int Rows { get; }

    /// <summary>Image width.</summary>
    public int Cols { get; }

    /// <summary>Pixels per image (Rows·Cols).</summary>
    public int ImageSize => Rows * Cols;

    /// <summary>Count·Rows·Cols pixels in [0, 1], image after image, row-major.</summary>
    public float[] Pixels { get; }

    /// <summary>Class index of each example.</summary>
    public byte[] Labels { get; }

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    /// <summary>
    /// This split as a one-channel <see cref="ImageDataset"/> sharing the same pixel array.
    /// </summary>
    /// <param name="classNames">Class names by label, e.g. <see cref="FashionMnist.ClassNames"/>.</param>
    public ImageDataset ToDataset(IReadOnlyList<string>? classNames = null) =>
        new(Pixels, Count, 1, Rows, Cols, Array.ConvertAll(Labels, l => (int)l), classNames);

    /// <summary>
    /// Copies the examples at <paramref name="indices"/> into a flattened batch
    /// (<paramref name="x"/>: indices.Length·ImageSize floats, <paramref name="y"/>: one label each).
    /// </summary>
    public void FillBatch(ReadOnlySpan<int> indices, Span<float> x, Span<long> y)
    {
        if (x.Length != indices.Length * ImageSize || y.Length != indices.Length)
            throw new ArgumentException($"A batch of {indices.Length} needs {indices.Length * ImageSize} pixels and {indices.Length} labels, got {x.Length} and {y.Length}.");
        for (int b = 0; b < indices.Length; b++)
        {
            Image(indices[b]).CopyTo(x.Slice(b * ImageSize, ImageSize));
            y[b] = Labels[indices[b]];
        }
    }
}

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

    FashionMnist(string directory, ImageSplit train, ImageSplit test)
    {
        Directory = directory;
        Train = train;
        Test = test;
    }

    /// <summary>The folder the files were read from.</summary>
    public string Directory { get; }

    /// <summary>The 60,000 training examples.</summary>
    public ImageSplit Train { get; }

    /// <summary>The 10,000 test examples.</summary>
    public ImageSplit Test { get; }

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
        var train = ReadSplit(directory, TrainImagesFile, TrainLabelsFile);
        var test = ReadSplit(directory, TestImagesFile, TestLabelsFile);
        if (train.Rows != test.Rows || train.Cols != test.Cols)
            throw new DataFileException(directory,
                $"Training images are {train.Rows}x{train.Cols} but test images are {test.Rows}x{test.Cols} in '{directory}'. {IdxReader.FixHint}");
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

    static ImageSplit ReadSplit(string directory, string imagesFile, string labelsFile)
    {
        string imagesPath = Resolve(directory, imagesFile), labelsPath = Resolve(directory, labelsFile);
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new DataFileException(labelsPath,
                $"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels; one of them is from another data set or damaged. {IdxReader.FixHint}");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= ClassCount)
                throw new DataFileException(labelsPath,
                    $"Data file '{labelsPath}' has label {labels[i]} at index {i}; Fashion-MNIST labels are 0 to {ClassCount - 1}. {IdxReader.FixHint}");
        return new ImageSplit(images, labels);
    }

    /// <summary>The .gz file if present, else the raw file of the same name, else the .gz path (for the error).</summary>
    static string Resolve(string directory, string gzName)
    {
        string gz = System.IO.Path.Combine(directory, gzName);
        if (File.Exists(gz)) return gz;
        string raw = gz[..^3];
        return File.Exists(raw) ? raw : gz;
    }
}
