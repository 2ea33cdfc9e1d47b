using Dsl.Models.Vision;

namespace Dsl.Models.Methods;

/// <summary>
/// The encoder of a joint-embedding method (SimCLR, Barlow Twins) and of its probes: which model
/// to build, how wide its pooled features are, and how to run its generated Forward/Backward.
/// Built under the prefix <c>encoder</c>, so <c>export</c> can strip it and get torchvision names.
/// </summary>
public sealed class Backbone
{
    readonly Func<IModule> create;

    Backbone(string name, int features, Func<IModule> create, bool batchIndependent)
    {
        Name = name;
        Features = features;
        BatchIndependent = batchIndependent;
        this.create = create;
    }

    /// <summary>Prefix of the backbone's names in a method's registry and checkpoints.</summary>
    public const string Prefix = "encoder";

    /// <summary>Short description, e.g. "conv-64" or "resnet18".</summary>
    public string Name { get; }

    /// <summary>Width of the pooled features.</summary>
    public int Features { get; }

    /// <summary>
    /// True when no op couples the samples of a batch (no batch norm in training), so two views may
    /// run as one call on their concatenation with the same result.
    /// </summary>
    public bool BatchIndependent { get; }

    /// <summary>
    /// The Keras SimCLR example's encoder (<see cref="ConvEncoder"/>) of the given width; with
    /// <paramref name="spatial"/> it returns the flattened final map of <paramref name="size"/>² inputs;
    /// with <paramref name="batchNorm"/> a batch norm follows each convolution.
    /// </summary>
    public static Backbone Conv(int channels, int width = 128, bool spatial = false, int size = 28, bool batchNorm = false) =>
        new($"conv{(batchNorm ? "-bn" : "")}-{width}", ConvEncoder.FeaturesFor(width, spatial, size),
        () => new ConvEncoder(channels, width, spatial, batchNorm),
        batchIndependent: !batchNorm);

    /// <summary>torchvision's ResNet-18 without <c>fc</c>; the CIFAR stem (3×3 stride 1, no max-pool) suits small images.</summary>
    public static Backbone ResNet18(int channels, bool cifarStem = true) => ResNet("resnet18", channels, cifarStem, [2, 2, 2, 2]);

    /// <summary>torchvision's ResNet-34 without <c>fc</c>.</summary>
    public static Backbone ResNet34(int channels, bool cifarStem = true) => ResNet("resnet34", channels, cifarStem, [3, 4, 6, 3]);

    static Backbone ResNet(string name, int channels, bool cifarStem, int[] layers) => new(name, 512,
        () => new ResNet(layers, numClasses: 0, cifarStem: cifarStem, inChans: channels),
        batchIndependent: false);

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["conv", "conv-bn", "resnet18", "resnet34"];

    /// <summary>
    /// A backbone by CLI name: <c>conv</c> or <c>conv-bn</c> (width <paramref name="width"/>), <c>resnet18</c> or <c>resnet34</c>.
    /// </summary>
    public static Backbone Parse(string name, int channels, int width, bool spatial = false, int size = 28) => name switch
    {
        "conv" => Conv(channels, width, spatial, size),
        "conv-bn" => Conv(channels, width, spatial, size, batchNorm: true),
        "resnet18" => ResNet18(channels),
        "resnet34" => ResNet34(channels),
        _ => throw new ArgumentException($"Unknown backbone '{name}': use conv, conv-bn, resnet18 or resnet34.", nameof(name)),
    };

    /// <summary>
    /// Builds the backbone in <paramref name="graph"/> under <see cref="Prefix"/>, in training or eval
    /// mode (the whole-model switch: batch statistics or running statistics in every batch norm).
    /// </summary>
    public IModule Build(Graph graph, bool training, out Registry registry) =>
        ModelContext.Build(graph, () =>
        {
            var model = create();
            model.SetTraining(training);
            return model;
        }, out registry, Prefix);

    /// <summary>The backbone on <paramref name="images"/>: [N, <see cref="Features"/>] features, its tape and registry.</summary>
    public EncoderGraph BuildEncoder(Graph graph, Tensor images, bool training)
    {
        var model = Build(graph, training, out var registry);
        var features = model.Forward(images, out var tape);
        return new EncoderGraph(features, model, tape, registry);
    }
}
