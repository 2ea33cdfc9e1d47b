namespace Dsl.Models.Data;

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
