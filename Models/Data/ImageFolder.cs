using StbImageSharp;

namespace Dsl.Models.Data;

/// <summary>
/// A folder of images in class sub-folders (<c>root/class_name/*.png|jpg|jpeg|bmp|tga|gif</c>), as
/// torchvision's <c>ImageFolder</c>: classes are the sub-folder names in ordinal order, files are
/// read in ordinal order, decoded with StbImageSharp and resized bilinearly to a fixed size.
/// Hidden sub-folders (starting with '.') are skipped; a folder with fewer than two classes or a
/// class folder without images is refused, as is any file that is empty, cannot be decoded or
/// declares more than <see cref="MaxPixels"/> pixels.
/// </summary>
public static class ImageFolder
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif"];

    /// <summary>The largest image (in pixels, 8192×8192) decoded; larger ones are refused before decoding.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Reads every image under <paramref name="root"/>.</summary>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <param name="height">Output height of every image.</param>
    /// <param name="width">Output width of every image.</param>
    /// <param name="channels">1 (grey) or 3 (RGB); images are converted as needed.</param>
    /// <exception cref="DataFileException">The folder is missing, holds fewer than two class folders or a class folder without images, or an image cannot be read or decoded.</exception>
    public static ImageDataset Load(string root, int height, int width, int channels = 3)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), "Channels must be 1 or 3.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (!Directory.Exists(root))
            throw new DataFileException(root, $"Image folder '{root}' does not exist. Pass a folder holding one sub-folder of images per class (root/cat/1.png, root/dog/2.jpg, ...).");
        // Hidden folders (.ipynb_checkpoints, .git, ...) are tool litter, not classes.
        var classDirs = Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new DataFileException(root, $"Image folder '{root}' has no class sub-folders. Put the images of each class in their own sub-folder (root/cat/1.png, root/dog/2.jpg, ...).");
        if (classDirs.Length == 1)
            throw new DataFileException(root, $"Image folder '{root}' has only one class folder ({Path.GetFileName(classDirs[0])}): labels need at least two classes " +
                "(root/cat/1.png, root/dog/2.jpg, ...); put each class's images in its own sub-folder.");
        var files = new List<(string Path, int Label)>();
        var empty = new List<string>();
        for (int c = 0; c < classDirs.Length; c++)
        {
            var images = Directory.GetFiles(classDirs[c])
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray();
            if (images.Length == 0) empty.Add(Path.GetFileName(classDirs[c]));
            files.AddRange(images.Select(f => (f, c)));
        }
        if (empty.Count > 0)
            throw new DataFileException(root, $"Image folder '{root}' has {empty.Count} class folder{(empty.Count > 1 ? "s" : "")} without images: {string.Join(", ", empty)}. " +
                $"Each class folder needs at least one image ({string.Join(", ", Extensions)}); add images or remove the folder.");

        int size = channels * height * width;
        var pixels = new float[(long)files.Count * size];
        var labels = new int[files.Count];
        try
        {
            Parallel.For(0, files.Count, i =>
            {
                var (path, label) = files[i];
                labels[i] = label;
                Decode(path, channels, pixels.AsSpan(i * size, size), height, width);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<DataFileException>().FirstOrDefault() is { } first)
        {
            throw new DataFileException(first.Path, first.Message, first.InnerException);
        }
        return new ImageDataset(pixels, files.Count, channels, height, width, labels, [.. classDirs.Select(d => Path.GetFileName(d))]);
    }

    /// <summary>Decodes one image file to CHW floats in [0, 1] of the given size.</summary>
    /// <exception cref="DataFileException">The file cannot be read or decoded.</exception>
    public static void Decode(string path, int channels, Span<float> destination, int height, int width)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"Cannot read image '{path}': {e.Message}", e);
        }
        if (bytes.Length == 0)
            throw new DataFileException(path, $"Image '{path}' is empty (0 bytes). Re-copy it, or remove it from the folder.");
        // The header's size is checked before decoding, so a damaged or hostile file cannot make the decoder allocate gigabytes.
        if (Info(bytes) is { } info && (long)info.Width * info.Height > MaxPixels)
            throw new DataFileException(path, $"Image '{path}' is {info.Width}x{info.Height} pixels, more than the {MaxPixels.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} this reader decodes: " +
                "the file is damaged, or shrink the image before training.");
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(bytes, channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFileException(path, $"Cannot decode image '{path}': {e.Message}. Re-export it as PNG or JPEG, or remove it from the folder.", e);
        }
        if (image is null || image.Width <= 0 || image.Height <= 0 || image.Data is null || image.Data.Length < channels * image.Width * image.Height)
            throw new DataFileException(path, $"Cannot decode image '{path}': the decoder returned no pixels. Re-export it as PNG or JPEG, or remove it from the folder.");
        int h = image.Height, w = image.Width;
        var chw = new float[channels * h * w];
        var data = image.Data;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < channels; c++)
                    chw[(c * h + y) * w + x] = data[(y * w + x) * channels + c] / 255f;
        if (h == height && w == width) chw.CopyTo(destination);
        else Bilinear.Resize(chw, channels, h, w, destination, height, width);
    }

    /// <summary>The size a file's header declares, or null when the header is unreadable (the decoder then names the problem).</summary>
    static ImageInfo? Info(byte[] bytes)
    {
        try
        {
            return ImageInfo.FromStream(new MemoryStream(bytes));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }
}
