using Dsl.Models.Blocks;
using Dsl.Models.Losses;

namespace Dsl.Models.Methods;

/// <summary>
/// The Keras SimCLR example's encoder: four 3×3 stride-2 convolutions of one width with ReLU,
/// then global average pooling to [N, width].
/// </summary>
[Model]
public partial class ConvEncoder
{
    [Module] readonly Conv2d[] convs;

    /// <summary>An encoder for <paramref name="channels"/>-channel images.</summary>
    public ConvEncoder(int channels, int width = 128)
    {
        convs = [new Conv2d(channels, width, 3, 2, 1), new Conv2d(width, width, 3, 2, 1), new Conv2d(width, width, 3, 2, 1), new Conv2d(width, width, 3, 2, 1)];
        Width = width;
    }

    /// <summary>Feature size.</summary>
    public int Width { get; }

    /// <summary>[N, C, H, W] images → [N, width] features.</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        foreach (var conv in convs) x = Ops.Relu(conv.Forward(x));
        return Ops.GlobalAvgPool2d(x);
    }
}

/// <summary>SimCLR's network: encoder, then a two-layer projection head (Linear, ReLU, Linear).</summary>
[Model]
public partial class SimClrNetwork
{
    [Module] readonly ConvEncoder encoder;
    [Module] readonly Linear projector1, projector2;

    /// <summary>A network with the given encoder width and projection size.</summary>
    public SimClrNetwork(int channels, int width = 128, int projection = 128)
    {
        encoder = new ConvEncoder(channels, width);
        projector1 = new Linear(width, width);
        projector2 = new Linear(width, projection);
    }

    /// <summary>Images → projections used by the contrastive loss.</summary>
    [Forward]
    public Tensor Forward(Tensor x) => projector2.Forward(Ops.Relu(projector1.Forward(encoder.Forward(x))));
}

/// <summary>
/// SimCLR pretraining as a training task: both augmented views through one network, NT-Xent loss.
/// </summary>
public sealed class SimClrTask(int channels, int size, int width = 128, int projection = 128, double temperature = 0.1) : TwoViewTask(channels, size)
{
    /// <inheritdoc/>
    public override string Name => "simclr";

    /// <inheritdoc/>
    protected override IModel CreateNetwork() => new SimClrNetwork(Channels, width, projection);

    /// <inheritdoc/>
    protected override (Tensor Projection, Action<Tensor?, Gradients> Backward) Project(IModel network, Tensor view)
    {
        var net = (SimClrNetwork)network;
        var z = net.Forward(view, out var tape);
        return (z, (d, grads) => net.Backward(tape, d, grads));
    }

    /// <inheritdoc/>
    protected override Tensor Loss(Tensor z1, Tensor z2) => SelfSupervisedLosses.NtXent(z1, z2, temperature);
}
