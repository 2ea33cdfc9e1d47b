using Dsl.Execution;
using Dsl.Models.Data.Augment;
using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>SimCLR: two views of the SimCLR augmentation, NT-Xent on the projections; probes read the backbone.</summary>
/// <param name="backbone">The encoder.</param>
/// <param name="channels">Image channels.</param>
/// <param name="size">Image height and width.</param>
/// <param name="projection">Projection size.</param>
/// <param name="temperature">NT-Xent temperature.</param>
/// <param name="augmentation">The view pipeline (default: <see cref="AugmentationPipeline.SimClr"/>).</param>
/// <param name="onlineProbeClasses">Classes of the online linear probe trained alongside (0: none; else the batches need labels).</param>
public sealed class SimClrMethod(Backbone backbone, int channels, int size, int projection = 128, double temperature = 0.1,
    AugmentationPipeline? augmentation = null, int onlineProbeClasses = 0) : PretrainingMethod
{
    readonly AugmentationPipeline view = augmentation ?? AugmentationPipeline.SimClr(size);

    /// <inheritdoc/>
    public override string Name => "simclr";
    /// <inheritdoc/>
    public override string Title => "SimCLR";
    /// <inheritdoc/>
    public override string Describe() => $"backbone {Readout.Name}, projection {projection}, temperature {temperature}";
    /// <inheritdoc/>
    public override ITrainingTask Task { get; } = new SimClrTask(backbone, channels, size, projection, temperature) { OnlineProbeClasses = onlineProbeClasses };
    /// <inheritdoc/>
    public override IReadOnlyList<AugmentationPipeline> Views => [view, view];
    /// <summary>The encoder as probes and fine-tuning read it (default: the pretraining backbone).</summary>
    public Backbone Readout { get; init; } = backbone;
    /// <inheritdoc/>
    public override EncoderGraph BuildEncoder(Graph graph, Tensor images, bool training) => Readout.BuildEncoder(graph, images, training);
    /// <inheritdoc/>
    public override Dictionary<string, HostTensor> InitializeEncoder(EncoderGraph encoder, int seed) => Initializers.Initialize(encoder.Registry, seed);
}
