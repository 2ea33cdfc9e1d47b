using System.Diagnostics;
using System.Runtime.CompilerServices;
using Dsl.Models.Data;
using Dsl.Models.Data.Augment;
using StbImageSharp;
using StbImageWriteSharp;
using Xunit.Abstractions;

namespace Dsl.Tests.Data;

public sealed class AugmentTests(ITestOutputHelper output)
{
    /// <summary>A 3×32×32 image with distinct, asymmetric colour content.</summary>
    internal static FloatImage Synthetic(int size = 32, int channels = 3)
    {
        var image = new FloatImage(channels, size, size);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    float v = c switch
                    {
                        0 => (float)x / (size - 1),
                        1 => (float)y / (size - 1),
                        _ => (x - size / 3) * (x - size / 3) + (y - size / 4) * (y - size / 4) < size * size / 16 ? 0.9f : 0.15f,
                    };
                    image.Data[(c * size + y) * size + x] = v;
                }
        return image;
    }

    static ImageDataset SyntheticSet(int count, int size = 32, int channels = 3)
    {
        var baseImage = Synthetic(size, channels);
        var pixels = new float[count * baseImage.Data.Length];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < baseImage.Data.Length; j++)
                pixels[i * baseImage.Data.Length + j] = (baseImage.Data[j] + 0.01f * i) % 1f;
        return new ImageDataset(pixels, count, channels, size, size, [.. Enumerable.Range(0, count).Select(i => i % 10)]);
    }

    public static TheoryData<string> OpNames => [.. Ops.Keys];

    static readonly Dictionary<string, Func<Augmentation>> Ops = new()
    {
        ["RandomResizedCrop"] = () => new RandomResizedCrop(24),
        ["HorizontalFlip"] = () => new HorizontalFlip(),
        ["ColorJitter"] = () => new ColorJitter(0.8, 0.8, 0.8, 0.2),
        ["Hue"] = () => new ColorJitter(0, 0, 0, 0.5),
        ["RandomColorAffine"] = () => new RandomColorAffine(0.6, 0.2),
        ["RandomGrayscale"] = () => new RandomGrayscale(0.5),
        ["GaussianBlur"] = () => new GaussianBlur(5, 0.1, 2.0),
        ["Solarize"] = () => new Solarize(),
        ["Normalize"] = () => new AugmentationPipeline(new Normalize([0.5f], [2f]), new Affine(2f, 0.5f)),
        ["SimClr"] = () => AugmentationPipeline.SimClr(24, blur: true),
        ["BarlowTwinsFirst"] = () => AugmentationPipeline.BarlowTwins(24).First,
        ["BarlowTwinsSecond"] = () => AugmentationPipeline.BarlowTwins(24).Second,
        ["Mae"] = () => AugmentationPipeline.Mae(24),
    };

    /// <summary>x·scale + offset, to map normalised images back for the snapshot.</summary>
    sealed class Affine(float scale, float offset) : Augmentation
    {
        public override FloatImage Apply(FloatImage image, SampleRandom random)
        {
            for (int i = 0; i < image.Data.Length; i++) image.Data[i] = image.Data[i] * scale + offset;
            return image;
        }
    }

    static FloatImage Run(Augmentation op, FloatImage source, long seed, int index = 0) =>
        op.Apply(source.Clone(), new SampleRandom(seed, 0, index));

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Every_op_is_deterministic_in_range_and_works_on_grey(string name)
    {
        foreach (int channels in new[] { 3, 1 })
        {
            var source = Synthetic(32, channels);
            var op = Ops[name]();
            var a = Run(op, source, 7);
            var b = Run(op, source, 7);
            a.Data.ShouldBe(b.Data);
            a.Channels.ShouldBe(channels);
            (a.Channels, a.Height, a.Width).ShouldBe(op.OutputShape(channels, 32, 32));
            a.Data.ShouldAllBe(v => v >= 0f && v <= 1f && !float.IsNaN(v));
        }
    }

    [Fact]
    public void Different_seeds_give_different_images()
    {
        var op = AugmentationPipeline.SimClr(24);
        var source = Synthetic();
        Run(op, source, 1).Data.ShouldNotBe(Run(op, source, 2).Data);
        Run(op, source, 1, index: 0).Data.ShouldNotBe(Run(op, source, 1, index: 1).Data);
    }

    [Fact]
    public void Flip_is_an_exact_mirror()
    {
        var source = Synthetic();
        var flipped = new HorizontalFlip(1.0).Apply(source.Clone(), new SampleRandom(0));
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                    flipped.Data[(c * 32 + y) * 32 + x].ShouldBe(source.Data[(c * 32 + y) * 32 + 31 - x]);
        new HorizontalFlip(0.0).Apply(source.Clone(), new SampleRandom(0)).Data.ShouldBe(source.Data);
    }

    [Fact]
    public void Crop_of_the_whole_image_at_the_same_size_is_the_identity()
    {
        var source = Synthetic();
        var crop = new RandomResizedCrop(32, 32, (1.0, 1.0), (1.0, 1.0));
        crop.Apply(source.Clone(), new SampleRandom(3)).Data.ShouldBe(source.Data);
    }

    [Fact]
    public void Crop_parameters_follow_torchvision_bounds()
    {
        var crop = new RandomResizedCrop(16);
        for (int i = 0; i < 500; i++)
        {
            var (top, left, h, w) = crop.DrawCrop(40, 60, new SampleRandom(5, 0, i));
            (top >= 0 && left >= 0 && top + h <= 40 && left + w <= 60).ShouldBeTrue();
            ((double)h * w / (40 * 60)).ShouldBeInRange(0.07, 1.0);
        }
    }

    [Fact]
    public void Grayscale_gives_three_equal_planes_and_solarize_inverts_above_half()
    {
        var grey = new RandomGrayscale(1.0).Apply(Synthetic(), new SampleRandom(0));
        grey.Plane(0).ToArray().ShouldBe(grey.Plane(1).ToArray());
        grey.Plane(1).ToArray().ShouldBe(grey.Plane(2).ToArray());
        var img = new FloatImage([0.2f, 0.5f, 0.9f], 1, 1, 3);
        new Solarize().Apply(img, new SampleRandom(0)).Data.ShouldBe([0.2f, 0.5f, 0.100000024f]);
    }

    [Fact]
    public void Normalize_uses_per_channel_statistics()
    {
        var img = new FloatImage([0.5f, 0.5f], 2, 1, 1);
        new Normalize([0.25f, 0.5f], [0.5f, 1f]).Apply(img, new SampleRandom(0)).Data.ShouldBe([0.5f, 0f]);
    }

    [Fact]
    public void Batch_loader_is_deterministic_independent_of_workers_and_per_sample()
    {
        var data = SyntheticSet(40);
        var simclr = AugmentationPipeline.SimClr(16);
        float[][] Collect(int workers, long seed) =>
        [
            .. new BatchLoader(data, new BatchLoaderOptions { BatchSize = 16, Seed = seed, Workers = workers, Prefetch = 2 }, simclr, simclr)
                .Epoch(3).SelectMany(b => b.Views),
        ];
        var one = Collect(1, 11);
        var four = Collect(4, 11);
        one.Length.ShouldBe(6); // 3 batches (16, 16, 8) × 2 views
        for (int i = 0; i < one.Length; i++) one[i].ShouldBe(four[i]);
        Collect(2, 12)[0].ShouldNotBe(one[0]);

        var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 16, Seed = 11, Shuffle = false }, simclr, simclr);
        var batch = loader.Epoch(0).First();
        batch.Indices.ShouldBe(Enumerable.Range(0, 16).ToArray());
        batch.Labels[3].ShouldBe(3);
        batch.Views[0].ShouldAllBe(v => v >= 0f && v <= 1f);
        int size = batch.ImageSize;
        // Two views of the same image differ, and the same augmentation of two images in one batch uses different crops.
        batch.Views[0].AsSpan(0, size).SequenceEqual(batch.Views[1].AsSpan(0, size)).ShouldBeFalse();
        var crop = new AugmentationPipeline(new RandomResizedCrop(16));
        var same = new ImageDataset([.. Enumerable.Repeat(Synthetic().Data, 8).SelectMany(d => d)], 8, 3, 32, 32, null);
        var crops = new BatchLoader(same, new BatchLoaderOptions { BatchSize = 8, Shuffle = false }, crop).Epoch(0).Single();
        var images = Enumerable.Range(0, 8).Select(i => crops.Views[0].AsSpan(i * 768, 768).ToArray()).ToArray();
        images.Select(i => string.Join(",", i.Take(50))).Distinct().Count().ShouldBe(8);
        crops.Labels.ShouldAllBe(l => l == -1);
    }

    [Fact]
    public void Batch_loader_shuffles_per_epoch_and_drops_last()
    {
        var loader = new BatchLoader(SyntheticSet(10, 8), new BatchLoaderOptions { BatchSize = 4, Seed = 1, DropLast = true });
        var e0 = loader.Epoch(0).SelectMany(b => b.Indices).ToArray();
        var e1 = loader.Epoch(1).SelectMany(b => b.Indices).ToArray();
        e0.Length.ShouldBe(8);
        e0.ShouldNotBe(e1);
        e0.Distinct().Count().ShouldBe(8);
        loader.Epoch(0).SelectMany(b => b.Indices).ShouldBe(e0);
    }

    sealed class Boom(int failAt) : Augmentation
    {
        public override FloatImage Apply(FloatImage image, SampleRandom random) =>
            image.Data[0] > failAt / 100f - 0.001f && image.Data[0] < failAt / 100f + 0.001f ? throw new InvalidDataException("boom") : image;
    }

    [Fact]
    public async Task Batch_loader_surfaces_worker_exceptions_and_cancels()
    {
        var pixels = Enumerable.Range(0, 20).Select(i => i / 100f).ToArray();
        var data = new ImageDataset(pixels, 20, 1, 1, 1, null);
        var failing = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 4, Shuffle = false, Workers = 2 }, new AugmentationPipeline(new Boom(13)));
        int seen = 0;
        var e = await Should.ThrowAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in failing.EpochAsync(0)) seen++;
        });
        e.Message.ShouldBe("boom");
        seen.ShouldBeLessThanOrEqualTo(3);

        using var cts = new CancellationTokenSource();
        var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 1, Prefetch = 1 });
        int got = 0;
        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in loader.EpochAsync(0, cts.Token))
                if (++got == 2) await cts.CancelAsync();
        });
        got.ShouldBe(2);
        // Leaving early stops the producer without error.
        loader.Epoch(0).Take(1).Count().ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Snapshot_png(string name)
    {
        var op = Ops[name]();
        var source = Synthetic();
        var views = Enumerable.Range(0, 4).Select(i => Run(op, source, 42, i)).ToList();
        int h = Math.Max(source.Height, views.Max(v => v.Height)), w = source.Width + views.Sum(v => v.Width) + 4;
        var rgb = new byte[h * w * 3];
        int x0 = 0;
        foreach (var img in views.Prepend(source))
        {
            for (int y = 0; y < img.Height; y++)
                for (int x = 0; x < img.Width; x++)
                    for (int c = 0; c < 3; c++)
                        rgb[(y * w + x0 + x) * 3 + c] = (byte)Math.Clamp(MathF.Round(img.Data[(Math.Min(c, img.Channels - 1) * img.Height + y) * img.Width + x] * 255f), 0, 255);
            x0 += img.Width + 1;
        }
        VerifyPng(rgb, w, h, name);
    }

    [Fact]
    public void Snapshot_png_grey_fashion_mnist()
    {
        var test = MnistReader.Load(FashionMnist.FindDataDirectory(), DataSplit.Test);
        var source = FloatImage.From(test.Image(0), 1, 28, 28);
        var op = AugmentationPipeline.SimClr(28, blur: true);
        var views = Enumerable.Range(0, 6).Select(i => Run(op, source, 42, i)).Prepend(source).ToList();
        int w = views.Count * 29, h = 28;
        var grey = new byte[w * h * 3];
        for (int k = 0; k < views.Count; k++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    for (int c = 0; c < 3; c++)
                        grey[(y * w + k * 29 + x) * 3 + c] = (byte)Math.Clamp(MathF.Round(views[k].Data[y * 28 + x] * 255f), 0, 255);
        VerifyPng(grey, w, h, "SimClrGrey");
    }

    /// <summary>Compares decoded RGB pixels with the committed <c>AugmentTests.{name}.verified.png</c>.</summary>
    static void VerifyPng(byte[] rgb, int width, int height, string name, [CallerFilePath] string file = "")
    {
        string stem = Path.Combine(Path.GetDirectoryName(file)!, $"{Path.GetFileNameWithoutExtension(file)}.{name}");
        string verified = stem + ".verified.png", received = stem + ".received.png";
        bool accept = Environment.GetEnvironmentVariable("DSL_ACCEPT_SNAPSHOTS") == "1";
        void Write(string path)
        {
            using var stream = File.Create(path);
            new ImageWriter().WritePng(rgb, width, height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        }
        if (!File.Exists(verified))
        {
            if (accept) { Write(verified); return; }
            Write(received);
            throw new Xunit.Sdk.XunitException($"No PNG snapshot yet: review {received} and rename it to {Path.GetFileName(verified)}.");
        }
        var expected = ImageResult.FromMemory(File.ReadAllBytes(verified), StbImageSharp.ColorComponents.RedGreenBlue);
        int differing = expected.Width == width && expected.Height == height ? rgb.Where((b, i) => b != expected.Data[i]).Count() : -1;
        if (differing == 0)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (accept) { Write(verified); return; }
        Write(received);
        throw new Xunit.Sdk.XunitException(differing < 0
            ? $"PNG snapshot {Path.GetFileName(verified)} is {expected.Width}x{expected.Height}, actual {width}x{height}; actual written to {Path.GetFileName(received)}."
            : $"PNG snapshot {Path.GetFileName(verified)} differs in {differing} of {rgb.Length} channel values; actual written to {Path.GetFileName(received)}. Compare them and rename received to verified to accept.");
    }

    [Fact]
    public void Throughput_simclr()
    {
        foreach (int size in new[] { 28, 96 })
        {
            var data = SyntheticSet(size == 28 ? 512 : 128, size, 3);
            var simclr = AugmentationPipeline.SimClr(size);
            var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 64, Workers = 2, Seed = 1 }, simclr, simclr);
            loader.Epoch(0).Count(); // warm up
            var watch = Stopwatch.StartNew();
            int images = loader.Epoch(1).Sum(b => b.Count * b.Views.Length);
            output.WriteLine($"SimCLR {size}x{size} RGB, 2 workers: {images / watch.Elapsed.TotalSeconds:F0} images/s");
        }
    }
}
