using Dsl.Models.Blocks;
using Dsl.Models.Losses;

namespace Dsl.Models.Methods;

/// <summary>
/// The Keras SimCLR example's encoder: four 3×3 stride-2 convolutions of one width with ReLU,
/// then global average pooling to [N, width] — or, with <c>spatial</c>, the final feature map
/// flattened (a probe readout that keeps where features are: 2×2×width for 28×28 images).
/// With <c>batchNorm</c>, each convolution (then without bias) is followed by a
/// <see cref="BatchNorm2d"/> before its ReLU, as in the ResNets every published SSL recipe uses.
/// </summary>
[Model]
public partial class ConvEncoder
{
    [Module] readonly Conv2d[] convs;
    [Module] readonly BatchNorm2d[] norms;   // empty without batch norm
    readonly bool spatial;

    /// <summary>An encoder for <paramref name="channels"/>-channel images.</summary>
    public ConvEncoder(int channels, int width = 128, bool spatial = false, bool batchNorm = false)
    {
        convs = [.. Enumerable.Range(0, 4).Select(i => new Conv2d(i == 0 ? channels : width, width, 3, 2, 1, bias: !batchNorm))];
        norms = batchNorm ? [.. Enumerable.Range(0, 4).Select(_ => new BatchNorm2d(width))] : [];
        Width = width;
        this.spatial = spatial;
    }

    /// <summary>Channels of the final feature map.</summary>
    public int Width { get; }

    /// <summary>Output width of an encoder of <paramref name="width"/> channels on <paramref name="size"/>² inputs.</summary>
    public static int FeaturesFor(int width, bool spatial, int size)
    {
        for (int i = 0; i < 4; i++) size = (size + 1) / 2;   // four stride-2, padding-1, 3×3 convolutions
        return spatial ? width * size * size : width;
    }

    /// <summary>[N, C, H, W] images → [N, width] features (or the flattened final map).</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        for (int i = 0; i < convs.Length; i++)
        {
            x = convs[i].Forward(x);
            if (norms.Length > 0) x = norms[i].Forward(x);
            x = Ops.Relu(x);
        }
        var features = x;
        if (spatial) features = Ops.Flatten(x);
        else features = Ops.GlobalAvgPool2d(x);
        return features;
    }
}

/// <summary>SimCLR's projection head: Linear, ReLU, Linear (<c>fc1</c>, <c>fc2</c>).</summary>
[Model]
public partial class SimClrHead
{
    [Module] readonly Linear fc1, fc2;

    /// <summary>A head from <paramref name="features"/> through <paramref name="hidden"/> to <paramref name="projection"/>.</summary>
    public SimClrHead(int features, int hidden, int projection)
    {
        fc1 = new Linear(features, hidden);
        fc2 = new Linear(hidden, projection);
    }

    /// <summary>Features → projections used by the contrastive loss.</summary>
    [Forward]
    public Tensor Forward(Tensor h) => fc2.Forward(Ops.Relu(fc1.Forward(h)));
}

/// <summary>
/// SimCLR pretraining as a training task: both augmented views through one backbone and head,
/// NT-Xent loss with <paramref name="temperature"/>.
/// </summary>
public sealed class SimClrTask(Backbone backbone, int channels, int size, int projection = 128, double temperature = 0.1) : TwoViewTask(backbone, channels, size)
{
    /// <inheritdoc/>
    public override string Name => "simclr";

    /// <inheritdoc/>
    protected override bool HeadIsBatchIndependent => true;

    /// <summary>As SimCLR's reference implementation: both views through the encoder as one batch, batch norms included.</summary>
    protected override bool ViewsShareBatchStatistics => true;

    /// <inheritdoc/>
    protected override IModule CreateHead(int features) => new SimClrHead(features, features, projection);

    /// <inheritdoc/>
    protected override Tensor Loss(Tensor z1, Tensor z2) => SelfSupervisedLosses.NtXent(z1, z2, temperature);
}
