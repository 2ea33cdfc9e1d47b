using static TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>The convolutional encoders and heads of the two-view rows, by the DSL's parameter names.</summary>
static class ConvNets
{
    /// <summary>
    /// The Keras SimCLR encoder: four 3×3 stride-2 convolutions with ReLU, global average pooling; with batch norm
    /// (conv-bn, the CLI's default) each convolution has no bias and a BatchNorm2d before its ReLU.
    /// </summary>
    public static TT ConvEncoder(TorchParameters p, TT x, string prefix)
    {
        for (int i = 0; p.Has($"{prefix}.convs.{i}.weight"); i++)
        {
            string conv = $"{prefix}.convs.{i}", norm = $"{prefix}.norms.{i}";
            x = conv2d(x, p[$"{conv}.weight"], p.Has($"{conv}.bias") ? p[$"{conv}.bias"] : null, strides: [2, 2], padding: [1, 1]);
            if (p.Has($"{norm}.weight")) x = BatchNorm(p, norm, x);
            x = relu(x);
        }
        return x.mean([2, 3]);
    }

    /// <summary>torchvision's ResNet with basic blocks and the CIFAR stem (3×3 stride 1, no pooling), without fc.</summary>
    public static TT CifarResNet(TorchParameters p, TT x, string prefix)
    {
        var y = relu(BatchNorm(p, $"{prefix}.bn1", conv2d(x, p[$"{prefix}.conv1.weight"], padding: [1, 1])));
        for (int stage = 1; stage <= 4; stage++)
            for (int block = 0; p.Has($"{prefix}.layer{stage}.{block}.conv1.weight"); block++)
                y = BasicBlock(p, $"{prefix}.layer{stage}.{block}", y, stage > 1 && block == 0 ? 2 : 1);
        return y.mean([2, 3]);
    }

    static TT BasicBlock(TorchParameters p, string prefix, TT x, long stride)
    {
        var y = relu(BatchNorm(p, $"{prefix}.bn1", conv2d(x, p[$"{prefix}.conv1.weight"], strides: [stride, stride], padding: [1, 1])));
        y = BatchNorm(p, $"{prefix}.bn2", conv2d(y, p[$"{prefix}.conv2.weight"], padding: [1, 1]));
        var identity = p.Has($"{prefix}.downsample.0.weight")
            ? BatchNorm(p, $"{prefix}.downsample.1", conv2d(x, p[$"{prefix}.downsample.0.weight"], strides: [stride, stride]))
            : x;
        return relu(y + identity);
    }

    /// <summary>Training-mode batch norm (momentum 0.1, eps 1e-5) that updates the running statistics in place.</summary>
    public static TT BatchNorm(TorchParameters p, string prefix, TT x) =>
        batch_norm(x, p[$"{prefix}.running_mean"], p[$"{prefix}.running_var"], p[$"{prefix}.weight"], p[$"{prefix}.bias"], training: true, momentum: 0.1, eps: 1e-5);

    /// <summary>SimCLR's head: Linear, ReLU, Linear.</summary>
    public static TT SimClrHead(TorchParameters p, TT h, string prefix) =>
        linear(relu(linear(h, p[$"{prefix}.fc1.weight"], p[$"{prefix}.fc1.bias"])), p[$"{prefix}.fc2.weight"], p[$"{prefix}.fc2.bias"]);

    /// <summary>Barlow Twins' projector: (Linear without bias, BatchNorm1d, ReLU) twice, then Linear without bias.</summary>
    public static TT BarlowProjector(TorchParameters p, TT h, string prefix)
    {
        h = relu(BatchNorm(p, $"{prefix}.bn1", linear(h, p[$"{prefix}.fc1.weight"])));
        h = relu(BatchNorm(p, $"{prefix}.bn2", linear(h, p[$"{prefix}.fc2.weight"])));
        return linear(h, p[$"{prefix}.fc3.weight"]);
    }
}
