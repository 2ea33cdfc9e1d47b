namespace Dsl.Models.Data.Augment;

/// <summary>
/// A sequence of augmentations applied in order, each drawing from the same per-sample generator.
/// Compose with <see cref="Then"/>; see the presets <see cref="SimClr"/>, <see cref="BarlowTwins"/>, <see cref="Mae"/>.
/// </summary>
public sealed class AugmentationPipeline : Augmentation
{
    /// <summary>Creates a pipeline of the given steps.</summary>
    public AugmentationPipeline(params IEnumerable<Augmentation> steps) => Steps = [.. steps];

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<Augmentation> Steps { get; }

    /// <summary>A new pipeline with <paramref name="next"/> appended.</summary>
    public AugmentationPipeline Then(Augmentation next) => new([.. Steps, next]);

    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        foreach (var step in Steps) image = step.Apply(image, random);
        return image;
    }

    /// <summary>Augments a copy of CHW pixels (the source is not changed).</summary>
    public FloatImage Apply(ReadOnlySpan<float> chw, int channels, int height, int width, SampleRandom random) =>
        Apply(FloatImage.From(chw, channels, height, width), random);

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) OutputShape(int channels, int height, int width)
    {
        var shape = (channels, height, width);
        foreach (var step in Steps) shape = step.OutputShape(shape.channels, shape.height, shape.width);
        return shape;
    }

    /// <summary>
    /// SimCLR's view: RandomResizedCrop(size, scale (<paramref name="minScale"/>, 1)), horizontal flip, colour jitter
    /// (0.8, 0.8, 0.8, 0.2)·<paramref name="strength"/> with p = 0.8, grey with p = 0.2, and optionally
    /// a Gaussian blur (kernel ≈ 10% of the size, σ in [0.1, 2]) with p = 0.5. Use it for both views.
    /// </summary>
    public static AugmentationPipeline SimClr(int size, double strength = 1.0, bool blur = false, double minScale = 0.08)
    {
        var steps = new List<Augmentation>
        {
            new RandomResizedCrop(size, minScale),
            new HorizontalFlip(),
            new RandomApply(new ColorJitter(0.8 * strength, 0.8 * strength, 0.8 * strength, 0.2 * strength), 0.8),
            new RandomGrayscale(0.2),
        };
        if (blur) steps.Add(new RandomApply(new GaussianBlur(GaussianBlur.KernelFor(size)), 0.5));
        return new AugmentationPipeline(steps);
    }

    /// <summary>
    /// Barlow Twins' two asymmetric views (Zbontar et al. 2021, as in its reference code):
    /// RandomResizedCrop(size, scale (<paramref name="minScale"/>, 1)), flip, colour jitter (0.4, 0.4, 0.2, 0.1) with p = 0.8,
    /// grey with p = 0.2, then Gaussian blur with p = 1.0 / 0.1 and solarize with p = 0.0 / 0.2 for the first / second view.
    /// </summary>
    public static (AugmentationPipeline First, AugmentationPipeline Second) BarlowTwins(int size, double minScale = 0.08)
    {
        AugmentationPipeline View(double blurP, double solarizeP) => new(
            new RandomResizedCrop(size, minScale),
            new HorizontalFlip(),
            new RandomApply(new ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8),
            new RandomGrayscale(0.2),
            new RandomApply(new GaussianBlur(GaussianBlur.KernelFor(size)), blurP),
            new RandomApply(new Solarize(), solarizeP));
        return (View(1.0, 0.0), View(0.1, 0.2));
    }

    /// <summary>MAE's augmentation: RandomResizedCrop(size, scale (0.2, 1)) and a horizontal flip.</summary>
    public static AugmentationPipeline Mae(int size) => new(new RandomResizedCrop(size, 0.2), new HorizontalFlip());
}
