using Dsl;
using Dsl.Models.Blocks;

namespace WritingModels.SeResNet;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018): global average pooling, a bottleneck MLP and a sigmoid
/// give one weight per channel, which rescales the feature map. x: [B, C, H, W].
/// </summary>
[Model]
public partial class SqueezeExcitation
{
    [Module] readonly Linear fc1, fc2;

    /// <summary>Gates <paramref name="channels"/> channels through a bottleneck of channels / <paramref name="reduction"/>.</summary>
    public SqueezeExcitation(int channels, int reduction = 4)
    {
        fc1 = new Linear(channels, Math.Max(1, channels / reduction));
        fc2 = new Linear(Math.Max(1, channels / reduction), channels);
    }

    /// <summary>[B, C, H, W] → [B, C, H, W].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var squeezed = Ops.Mean(x, [2, 3]);                                  // [B, C]
        var gate = Ops.Sigmoid(fc2.Forward(Ops.Relu(fc1.Forward(squeezed))));
        return x * Ops.Reshape(gate, x.Shape[0], x.Shape[1], 1, 1);
    }
}

/// <summary>
/// A ResNet basic block with squeeze-and-excitation: conv-BN-ReLU-conv-BN, SE, plus the input,
/// ReLU. The generated <c>SetTraining(bool)</c> switches both BatchNorms between batch statistics (and
/// running-stat updates) and the running statistics, as PyTorch's <c>train()</c>/<c>eval()</c>.
/// </summary>
[Model]
public partial class SeResNetBlock
{
    [Module] readonly Conv2d conv1, conv2;
    [Module] readonly BatchNorm2d bn1, bn2;
    [Module] readonly SqueezeExcitation se;

    /// <summary>A block keeping <paramref name="channels"/> channels and the spatial size.</summary>
    public SeResNetBlock(int channels)
    {
        conv1 = new Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn1 = new BatchNorm2d(channels);
        conv2 = new Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn2 = new BatchNorm2d(channels);
        se = new SqueezeExcitation(channels);
    }

    /// <summary>[B, C, H, W] → [B, C, H, W].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var h = Ops.Relu(bn1.Forward(conv1.Forward(x)));
        h = se.Forward(bn2.Forward(conv2.Forward(h)));
        return Ops.Relu(h + x);
    }
}

/// <summary>A stem convolution, one <see cref="SeResNetBlock"/>, global pooling and a linear head.</summary>
[Model]
public partial class SeResNet
{
    [Module] readonly Conv2d stem;
    [Module] readonly SeResNetBlock block;
    [Module] readonly Linear head;

    /// <summary>A network of <paramref name="width"/> channels for single-channel images.</summary>
    public SeResNet(int width = 16, int classes = 10)
    {
        stem = new Conv2d(1, width, 3, stride: 2, padding: 1);
        block = new SeResNetBlock(width);
        head = new Linear(width, classes);
    }

    /// <summary>Images [B, 1, H, W] → logits [B, classes].</summary>
    [Forward]
    public Tensor Forward(Tensor images)
    {
        var h = block.Forward(Ops.Relu(stem.Forward(images)));
        return head.Forward(Ops.Mean(h, [2, 3]));
    }
}
