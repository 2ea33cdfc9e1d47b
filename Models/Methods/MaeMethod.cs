using Dsl.Execution;
using Dsl.Models.Data.Augment;
using Dsl.Models.Training;
using Dsl.Models.Vision;

namespace Dsl.Models.Methods;

/// <summary>
/// MAE: one lightly augmented view, masked-patch reconstruction. Probes read the encoder on the
/// whole (unmasked) image: the class token and the mean of the patch tokens after the final norm,
/// concatenated (MAE's linear probe uses the class token; the pooled tokens carry more of the
/// image on small data).
/// </summary>
/// <param name="config">Architecture and masking.</param>
/// <param name="augmentation">The view pipeline (default: <see cref="AugmentationPipeline.Mae"/>).</param>
/// <param name="readout">Which encoder outputs the probes read.</param>
public sealed class MaeMethod(MaeConfig config, AugmentationPipeline? augmentation = null, MaeReadout readout = MaeReadout.ClsAndMean) : PretrainingMethod
{
    readonly AugmentationPipeline view = augmentation ?? AugmentationPipeline.Mae(config.ImageSize);

    /// <summary>The configuration.</summary>
    public MaeConfig Config => config;
    /// <inheritdoc/>
    public override string Name => "mae";
    /// <inheritdoc/>
    public override string Title => "MAE";
    /// <inheritdoc/>
    public override string Describe() =>
        $"ViT {config.EncoderDepth}x{config.EncoderDim} (patch {config.PatchSize}), decoder {config.DecoderDepth}x{config.DecoderDim}, mask {config.MaskRatio}{(config.NormPixLoss ? ", norm-pix loss" : "")}";
    /// <inheritdoc/>
    public override ITrainingTask Task { get; } = new MaeTask(config);
    /// <inheritdoc/>
    public override IReadOnlyList<AugmentationPipeline> Views => [view];

    /// <inheritdoc/>
    public override EncoderGraph BuildEncoder(Graph graph, Tensor images, bool training)
    {
        var encoder = ModelContext.Build(graph, () => new VisionTransformer(config.ImageSize, config.PatchSize, config.Channels,
            config.EncoderDim, config.EncoderDepth, config.EncoderHeads, config.MlpRatio), out var registry);
        var tokens = encoder.Forward(images, out var tape);
        return new EncoderGraph(Readout(tokens, encoder.GridSize), encoder, tape, registry) { Output = tokens };
    }

    /// <inheritdoc/>
    public override Dictionary<string, HostTensor> InitializeEncoder(EncoderGraph encoder, int seed) =>
        VisionTransformer.InitialValues(encoder.Registry, seed);

    Tensor Readout(Tensor tokens, int grid)
    {
        int b = tokens.Shape[0], n = tokens.Shape[1], d = tokens.Shape[2];
        var cls = Ops.Reshape(Ops.Slice(tokens, 1, 0, 1), b, d);
        var patches = Ops.Slice(tokens, 1, 1, n);
        return readout switch
        {
            MaeReadout.Cls => cls,
            MaeReadout.Mean => Ops.Mean(patches, 1),
            MaeReadout.ClsAndMean => Ops.Concat(1, cls, Ops.Mean(patches, 1)),
            MaeReadout.Grid => Ops.Flatten(Ops.AvgPool2d(Ops.Reshape(Ops.Permute(patches, 0, 2, 1), b, d, grid, grid), (grid + 1) / 2, grid / 2)),
            _ => Ops.Reshape(patches, b, (n - 1) * d),
        };
    }
}

/// <summary>Which outputs of MAE's encoder a frozen-feature probe reads.</summary>
public enum MaeReadout
{
    /// <summary>The class token after the final norm (MAE's linear-probe default).</summary>
    Cls,
    /// <summary>The mean of the patch tokens (MAE's <c>global_pool</c>).</summary>
    Mean,
    /// <summary>Class token and mean patch token, concatenated.</summary>
    ClsAndMean,
    /// <summary>Patch tokens average-pooled to a 2×2 grid of the image, concatenated (4·dim).</summary>
    Grid,
    /// <summary>Every patch token, concatenated (L·dim).</summary>
    Tokens,
}
