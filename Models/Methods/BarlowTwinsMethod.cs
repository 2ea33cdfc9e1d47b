using Dsl.Execution;
using Dsl.Models.Data.Augment;
using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>Barlow Twins: the paper's two asymmetric views, the redundancy-reduction loss; probes read the backbone.</summary>
/// <param name="backbone">The encoder.</param>
/// <param name="channels">Image channels.</param>
/// <param name="size">Image height and width.</param>
/// <param name="projection">Projector width (8192 in the paper).</param>
/// <param name="lambda">Off-diagonal weight λ (5e-3 in the paper).</param>
/// <param name="views">The two view pipelines (default: <see cref="AugmentationPipeline.BarlowTwins"/>).</param>
/// <param name="onlineProbeClasses">Classes of the online linear probe trained alongside (0: none; else the batches need labels).</param>
public sealed class BarlowTwinsMethod(Backbone backbone, int channels, int size, int projection = 512, double lambda = 5e-3,
    (AugmentationPipeline First, AugmentationPipeline Second)? views = null, int onlineProbeClasses = 0) : PretrainingMethod
{
    readonly (AugmentationPipeline First, AugmentationPipeline Second) pair = views ?? AugmentationPipeline.BarlowTwins(size);

    /// <inheritdoc/>
    public override string Name => "barlow";
    /// <inheritdoc/>
    public override string Title => "Barlow Twins";
    /// <inheritdoc/>
    public override string Describe() => $"backbone {Readout.Name}, projector {projection}, lambda {lambda}";
    /// <inheritdoc/>
    public override ITrainingTask Task { get; } = new BarlowTwinsTask(backbone, channels, size, projection, lambda) { OnlineProbeClasses = onlineProbeClasses };
    /// <inheritdoc/>
    public override IReadOnlyList<AugmentationPipeline> Views => [pair.First, pair.Second];
    /// <summary>The encoder as probes and fine-tuning read it (default: the pretraining backbone).</summary>
    public Backbone Readout { get; init; } = backbone;
    /// <inheritdoc/>
    public override EncoderGraph BuildEncoder(Graph graph, Tensor images, bool training) => Readout.BuildEncoder(graph, images, training);
    /// <inheritdoc/>
    public override Dictionary<string, HostTensor> InitializeEncoder(EncoderGraph encoder, int seed) => Initializers.Initialize(encoder.Registry, seed);
}
