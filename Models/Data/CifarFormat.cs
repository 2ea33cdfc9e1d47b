namespace Dsl.Models.Data;

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
