namespace Dsl.Models.Data;

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
