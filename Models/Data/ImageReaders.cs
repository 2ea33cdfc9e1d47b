namespace Dsl.Models.Data;

/// <summary>Which part of a data set to read.</summary>
public enum DataSplit
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The test images.</summary>
    Test,

    /// <summary>The unlabelled images (STL-10 only).</summary>
    Unlabeled,
}

/// <summary>Shared file handling for the binary readers: missing files, read errors, sizes.</summary>
static class DataFiles
{
    /// <summary>The whole file, or a <see cref="DataFileException"/> naming it and the fix.</summary>
    public static byte[] ReadAll(string path, string fix)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, $"Data file '{path}' does not exist. " +
                (Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(path)))
                    ? "The folder exists but this file is missing. " : "Its folder does not exist either. ") + fix);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"Cannot read data file '{path}': {e.Message} {fix}", e);
        }
    }

    /// <summary>Checks that a file of fixed-size records holds a whole, non-zero number of them.</summary>
    public static int RecordCount(string path, long length, int recordSize, string what, string fix)
    {
        if (length == 0)
            throw new DataFileException(path, $"Data file '{path}' is empty; it should hold {what} records of {recordSize} bytes. {fix}");
        if (length % recordSize != 0)
            throw new DataFileException(path,
                $"Data file '{path}' is truncated or not a {what} file: its {length} bytes are not a whole number of {recordSize}-byte records " +
                $"({length / recordSize} records and {length % recordSize} bytes left over). {fix}");
        return checked((int)(length / recordSize));
    }

    /// <summary>The folder itself, or its conventional sub-folder when that holds <paramref name="probe"/>.</summary>
    public static string Locate(string directory, string subfolder, string probe)
    {
        if (File.Exists(Path.Combine(directory, probe))) return directory;
        string nested = Path.Combine(directory, subfolder);
        return File.Exists(Path.Combine(nested, probe)) ? nested : directory;
    }

    /// <summary>Class names from a text file (one per line) when present, else the defaults.</summary>
    public static IReadOnlyList<string> ClassNames(string path, IReadOnlyList<string> defaults)
    {
        if (!File.Exists(path)) return defaults;
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return names.Length == defaults.Count ? names : defaults;
    }
}

/// <summary>MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST, ...) as an <see cref="ImageDataset"/>.</summary>
public static class MnistReader
{
    /// <summary>Reads an IDX image file and its label file (gzip or raw) into a one-channel data set.</summary>
    /// <param name="imagesPath">IDX images (magic 2051).</param>
    /// <param name="labelsPath">IDX labels (magic 2049), or null for no labels.</param>
    /// <param name="classNames">Class names by label (default: "0".."9").</param>
    /// <exception cref="DataFileException">A file is missing, damaged, or the counts disagree.</exception>
    public static ImageDataset Read(string imagesPath, string? labelsPath, IReadOnlyList<string>? classNames = null)
    {
        var images = IdxReader.ReadImages(imagesPath);
        int[]? labels = null;
        if (labelsPath is not null)
        {
            var raw = IdxReader.ReadLabels(labelsPath);
            if (raw.Length != images.Count)
                throw new DataFileException(labelsPath,
                    $"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {raw.Length} labels; one of them is from another data set or damaged. {IdxReader.FixHint}");
            labels = Array.ConvertAll(raw, b => (int)b);
        }
        classNames ??= [.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        // A label past the class names would index out of range in a probe or classifier much later.
        if (labels is not null && Array.FindIndex(labels, l => l >= classNames.Count) is int bad and >= 0)
            throw new DataFileException(labelsPath!,
                $"Data file '{labelsPath}' has label {labels[bad]} at index {bad}; this data set's labels are 0 to {classNames.Count - 1}. {IdxReader.FixHint}");
        var pixels = new float[images.Pixels.Length];
        ImageDataset.ToUnit(images.Pixels, pixels);
        return new ImageDataset(pixels, images.Count, 1, images.Rows, images.Cols, labels, classNames);
    }

    /// <summary>
    /// Reads a split from a folder holding the four standard files
    /// (<c>train-images-idx3-ubyte[.gz]</c>, <c>train-labels-idx1-ubyte[.gz]</c>, <c>t10k-...</c>).
    /// </summary>
    /// <exception cref="DataFileException">A file is missing or damaged.</exception>
    public static ImageDataset Load(string directory, DataSplit split, IReadOnlyList<string>? classNames = null)
    {
        string prefix = split switch
        {
            DataSplit.Train => "train",
            DataSplit.Test => "t10k",
            _ => throw new ArgumentException("MNIST has only train and test splits.", nameof(split)),
        };
        return Read(Resolve(directory, $"{prefix}-images-idx3-ubyte.gz"), Resolve(directory, $"{prefix}-labels-idx1-ubyte.gz"), classNames);
    }

    static string Resolve(string directory, string gzName)
    {
        string gz = Path.Combine(directory, gzName);
        if (File.Exists(gz)) return gz;
        string raw = gz[..^3];
        return File.Exists(raw) ? raw : gz;
    }
}

/// <summary>
/// CIFAR-10, binary version (<c>cifar-10-binary.tar.gz</c>): <c>data_batch_1.bin</c> to
/// <c>data_batch_5.bin</c> and <c>test_batch.bin</c>, each 10,000 records of one label byte and
/// 3,072 pixel bytes (1,024 red, then green, then blue, each plane row-major 32×32).
/// </summary>
public static class Cifar10
{
    /// <summary>Image side.</summary>
    public const int Size = 32;

    /// <summary>Bytes per record: label + 3·32·32 pixels.</summary>
    public const int RecordSize = 1 + 3 * Size * Size;

    /// <summary>The default class names, by label.</summary>
    public static IReadOnlyList<string> DefaultClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The advice appended to errors.</summary>
    public const string FixHint = "Download and unpack the binary version again (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz) and pass the cifar-10-batches-bin folder.";

    /// <summary>
    /// Reads the training (50,000) or test (10,000) images from <paramref name="directory"/> (or its
    /// <c>cifar-10-batches-bin</c> sub-folder). Class names come from <c>batches.meta.txt</c> when present.
    /// </summary>
    /// <exception cref="DataFileException">A file is missing, truncated or has a bad label.</exception>
    public static ImageDataset Load(string directory, DataSplit split)
    {
        string[] files = split switch
        {
            DataSplit.Train => [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")],
            DataSplit.Test => ["test_batch.bin"],
            _ => throw new ArgumentException("CIFAR-10 has only train and test splits.", nameof(split)),
        };
        directory = DataFiles.Locate(directory, "cifar-10-batches-bin", files[0]);
        var names = DataFiles.ClassNames(Path.Combine(directory, "batches.meta.txt"), DefaultClassNames);
        return CifarFormat.Read([.. files.Select(f => Path.Combine(directory, f))], labelBytes: 1, labelIndex: 0, classCount: 10, names, "CIFAR-10", FixHint);
    }
}

/// <summary>
/// CIFAR-100, binary version: <c>train.bin</c> (50,000) and <c>test.bin</c> (10,000), records of a
/// coarse label byte, a fine label byte and 3,072 pixel bytes (as CIFAR-10). The fine labels (100
/// classes) are used.
/// </summary>
public static class Cifar100
{
    /// <summary>Bytes per record: coarse label + fine label + 3·32·32 pixels.</summary>
    public const int RecordSize = 2 + 3 * 32 * 32;

    /// <summary>The advice appended to errors.</summary>
    public const string FixHint = "Download and unpack the binary version again (https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz) and pass the cifar-100-binary folder.";

    /// <summary>The fine class names, by label (alphabetical, as distributed).</summary>
    public static IReadOnlyList<string> DefaultClassNames { get; } =
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ];

    /// <summary>
    /// Reads <c>train.bin</c> or <c>test.bin</c> from <paramref name="directory"/> (or its
    /// <c>cifar-100-binary</c> sub-folder), with fine labels.
    /// </summary>
    /// <exception cref="DataFileException">The file is missing, truncated or has a bad label.</exception>
    public static ImageDataset Load(string directory, DataSplit split)
    {
        string file = split switch
        {
            DataSplit.Train => "train.bin",
            DataSplit.Test => "test.bin",
            _ => throw new ArgumentException("CIFAR-100 has only train and test splits.", nameof(split)),
        };
        directory = DataFiles.Locate(directory, "cifar-100-binary", file);
        var names = DataFiles.ClassNames(Path.Combine(directory, "fine_label_names.txt"), DefaultClassNames);
        return CifarFormat.Read([Path.Combine(directory, file)], labelBytes: 2, labelIndex: 1, classCount: 100, names, "CIFAR-100", FixHint);
    }
}

/// <summary>The shared CIFAR record format.</summary>
static class CifarFormat
{
    const int Plane = 32 * 32, Pixels = 3 * Plane;

    public static ImageDataset Read(string[] paths, int labelBytes, int labelIndex, int classCount, IReadOnlyList<string> names, string what, string fix)
    {
        int recordSize = labelBytes + Pixels;
        var contents = new byte[paths.Length][];
        var counts = new int[paths.Length];
        long total = 0;
        for (int f = 0; f < paths.Length; f++)
        {
            contents[f] = DataFiles.ReadAll(paths[f], fix);
            // CIFAR-10 and CIFAR-100 files differ only in their record size: name the mix-up.
            var (otherSize, other, flag) = labelBytes == 1 ? (Cifar100.RecordSize, "CIFAR-100", "cifar100") : (Cifar10.RecordSize, "CIFAR-10", "cifar10");
            int length = contents[f].Length;
            if (length > 0 && length % recordSize != 0 && length % otherSize == 0)
                throw new DataFileException(paths[f], $"Data file '{paths[f]}' holds {length / otherSize} {otherSize}-byte records of {other}, not the {recordSize}-byte records of {what}: " +
                    $"pass --dataset {flag}, or the {what} folder. {fix}");
            counts[f] = DataFiles.RecordCount(paths[f], length, recordSize, what, fix);
            total += counts[f];
        }
        var pixels = new float[checked(total * Pixels)];
        var labels = new int[total];
        int n = 0;
        for (int f = 0; f < paths.Length; f++)
        {
            var bytes = contents[f];
            for (int r = 0; r < counts[f]; r++, n++)
            {
                int offset = r * recordSize;
                if (labelBytes == 2 && bytes[offset] >= 20)
                    throw new DataFileException(paths[f], $"Data file '{paths[f]}' has coarse label {bytes[offset]} in record {r}; {what} coarse labels are 0 to 19, so the file is damaged or not a {what} file. {fix}");
                int label = bytes[offset + labelIndex];
                if (label >= classCount)
                    throw new DataFileException(paths[f], $"Data file '{paths[f]}' has label {label} in record {r}; {what} labels are 0 to {classCount - 1}, so the file is damaged or not a {what} file. {fix}");
                labels[n] = label;
                ImageDataset.ToUnit(bytes.AsSpan(offset + labelBytes, Pixels), pixels.AsSpan(n * Pixels, Pixels));
            }
        }
        return new ImageDataset(pixels, n, 3, 32, 32, labels, names);
    }
}

/// <summary>
/// STL-10, binary version (<c>stl10_binary.tar.gz</c>): <c>train_X.bin</c>/<c>train_y.bin</c> (5,000),
/// <c>test_X.bin</c>/<c>test_y.bin</c> (8,000) and <c>unlabeled_X.bin</c> (100,000) 96×96 RGB images.
/// Each image is stored column-major (as MATLAB writes it): for each channel, column after column;
/// the reader transposes to row-major CHW. Labels are stored 1..10 and returned as 0..9.
/// </summary>
public static class Stl10
{
    /// <summary>Image side.</summary>
    public const int Size = 96;

    /// <summary>Bytes per image.</summary>
    public const int ImageBytes = 3 * Size * Size;

    /// <summary>The default class names, by label (0-based).</summary>
    public static IReadOnlyList<string> DefaultClassNames { get; } =
        ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"];

    /// <summary>The advice appended to errors.</summary>
    public const string FixHint = "Download and unpack the binary version again (https://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz) and pass the stl10_binary folder.";

    /// <summary>
    /// Reads a split from <paramref name="directory"/> (or its <c>stl10_binary</c> sub-folder).
    /// The unlabelled split has null labels. Class names come from <c>class_names.txt</c> when present.
    /// </summary>
    /// <param name="directory">The folder with the .bin files.</param>
    /// <param name="split">Which split.</param>
    /// <param name="maxCount">Read at most this many images (the unlabelled split is 11 GB as floats).</param>
    /// <exception cref="DataFileException">A file is missing, truncated or has a bad label.</exception>
    public static ImageDataset Load(string directory, DataSplit split, int maxCount = int.MaxValue)
    {
        string stem = split switch { DataSplit.Train => "train", DataSplit.Test => "test", _ => "unlabeled" };
        directory = DataFiles.Locate(directory, "stl10_binary", $"{stem}_X.bin");
        string xPath = Path.Combine(directory, $"{stem}_X.bin");
        var names = DataFiles.ClassNames(Path.Combine(directory, "class_names.txt"), DefaultClassNames);
        if (!File.Exists(xPath)) DataFiles.ReadAll(xPath, FixHint); // throws the "missing" error
        long length = new FileInfo(xPath).Length;
        int fileCount = DataFiles.RecordCount(xPath, length, ImageBytes, "STL-10 image", FixHint);
        int count = Math.Min(fileCount, Math.Max(0, maxCount));

        int[]? labels = null;
        if (split != DataSplit.Unlabeled)
        {
            string yPath = Path.Combine(directory, $"{stem}_y.bin");
            var y = DataFiles.ReadAll(yPath, FixHint);
            if (y.Length != fileCount)
                throw new DataFileException(yPath, $"'{xPath}' holds {fileCount} images but '{yPath}' holds {y.Length} labels; one of them is truncated or from another split. {FixHint}");
            labels = new int[count];
            for (int i = 0; i < count; i++)
            {
                if (y[i] is < 1 or > 10)
                    throw new DataFileException(yPath, $"Data file '{yPath}' has label {y[i]} at index {i}; STL-10 labels are stored as 1 to 10. {FixHint}");
                labels[i] = y[i] - 1;
            }
        }

        var pixels = new float[(long)count * ImageBytes];
        var buffer = new byte[ImageBytes];
        try
        {
            using var stream = File.OpenRead(xPath);
            for (int n = 0; n < count; n++)
            {
                stream.ReadExactly(buffer);
                var dst = pixels.AsSpan(n * ImageBytes, ImageBytes);
                for (int c = 0; c < 3; c++)
                {
                    int plane = c * Size * Size;
                    for (int col = 0; col < Size; col++)
                        for (int row = 0; row < Size; row++)
                            dst[plane + row * Size + col] = buffer[plane + col * Size + row] / 255f;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(xPath, $"Cannot read data file '{xPath}': {e.Message} {FixHint}", e);
        }
        return new ImageDataset(pixels, count, 3, Size, Size, labels, names);
    }
}
