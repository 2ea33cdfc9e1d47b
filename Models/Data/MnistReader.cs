namespace Dsl.Models.Data;

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
