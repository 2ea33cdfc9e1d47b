namespace Dsl.Models.Data;

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
