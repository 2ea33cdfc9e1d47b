using Dsl.Models.Blocks;
using Dsl.Models.Losses;

namespace Dsl.Models.Methods;

/// <summary>
/// Barlow Twins' projector: Linear (no bias) → BatchNorm1d → ReLU, twice, then a final Linear
/// without bias (the paper's 3-layer MLP, widths configurable: 8192 in the paper).
/// </summary>
[Model]
public partial class BarlowProjector
{
    [Module] readonly Linear fc1, fc2, fc3;
    [Module] readonly BatchNorm1d bn1, bn2;

    /// <summary>A projector from <paramref name="input"/> features to <paramref name="width"/>.</summary>
    public BarlowProjector(int input, int width)
    {
        fc1 = new Linear(input, width, bias: false);
        bn1 = new BatchNorm1d(width);
        fc2 = new Linear(width, width, bias: false);
        bn2 = new BatchNorm1d(width);
        fc3 = new Linear(width, width, bias: false);
    }

    /// <summary>Training mode of the batch normalisations.</summary>
    public bool Training
    {
        get => bn1.Training;
        set => (bn1.Training, bn2.Training) = (value, value);
    }

    /// <summary>[N, input] → [N, width].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var h = Ops.Relu(bn1.Forward(fc1.Forward(x)));
        h = Ops.Relu(bn2.Forward(fc2.Forward(h)));
        return fc3.Forward(h);
    }
}

/// <summary>
/// Barlow Twins pretraining as a training task: both views through one backbone and projector, loss
/// Σ(1 − cᵢᵢ)² + λ·Σ_{i≠j} cᵢⱼ² on the batch-standardised cross-correlation.
/// </summary>
public sealed class BarlowTwinsTask(Backbone backbone, int channels, int size, int projection = 512, double lambda = 5e-3) : TwoViewTask(backbone, channels, size)
{
    /// <inheritdoc/>
    public override string Name => "barlow";

    /// <inheritdoc/>
    protected override IModule CreateHead(int features) => new BarlowProjector(features, projection);

    /// <inheritdoc/>
    protected override Tensor Loss(Tensor z1, Tensor z2) => SelfSupervisedLosses.BarlowTwins(z1, z2, lambda);
}
