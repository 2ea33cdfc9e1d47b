using Dsl.Operators;
using TorchSharp;
using DeviceType = TorchSharp.DeviceType;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterConvolution(Dictionary<Type, Kernel> t)
    {
        AddMulti<Conv2dOp>(t, (op, x, ctx) =>
        {
            using var input = ConvolutionLayout(x[0], ctx);
            using var weight = ConvolutionLayout(x[1], ctx);
            using var y = torch.nn.functional.conv2d(input, weight, null, [op.Stride, op.Stride], [op.Padding, op.Padding], [1, 1], op.Groups);
            return [ConvolutionLayout(y, ctx)];
        });

        // dx = transposed convolution of dy with w; output_padding recovers the rows the forward's floor dropped.
        Add<Conv2dInputGradOp>(t, (op, x) =>
        {
            long kh = x[1].shape[2], kw = x[1].shape[3];
            long oph = op.InputShape[2] - ((x[0].shape[2] - 1) * op.Stride - 2 * op.Padding + kh);
            long opw = op.InputShape[3] - ((x[0].shape[3] - 1) * op.Stride - 2 * op.Padding + kw);
            return torch.nn.functional.conv_transpose2d(x[0], x[1], null, [op.Stride, op.Stride], [op.Padding, op.Padding], [oph, opw], [1, 1], op.Groups);
        });

        // dw = conv of x (channels as batch) with dy (channels as batch) dilated by the stride, cropped to the kernel.
        // With G groups, x is read as [C/G, G·N, H, W] (channel c' of group g, batch n at g·N + n) and the
        // conv runs with G groups, so filter o (of group o / (O/G)) meets only its own group's channels.
        Add<Conv2dWeightGradOp>(t, (op, x) =>
        {
            using var scope = torch.NewDisposeScope();
            long n = x[0].shape[0], c = x[0].shape[1], h = x[0].shape[2], w = x[0].shape[3], groups = op.Groups;
            var xt = groups == 1 ? x[0].transpose(0, 1)
                : x[0].reshape(n, groups, c / groups, h, w).permute(2, 1, 0, 3, 4).reshape(c / groups, groups * n, h, w);
            var dyt = x[1].transpose(0, 1);
            var g = torch.nn.functional.conv2d(xt, dyt, null, [1, 1], [op.Padding, op.Padding], [op.Stride, op.Stride], groups);
            var dw = g.slice(2, 0, op.WeightShape[2], 1).slice(3, 0, op.WeightShape[3], 1).transpose(0, 1).contiguous();
            return dw.MoveToOuterDisposeScope();
        });

        AddMulti<MaxPool2dOp>(t, (op, x, _) =>
        {
            var (y, idx) = torch.nn.functional.max_pool2d_with_indices(x[0], [op.Kernel, op.Kernel], [op.Stride, op.Stride], [op.Padding, op.Padding], [1, 1], false);
            return [y, idx];
        });
        Add<AvgPool2dOp>(t, (op, x) => torch.nn.functional.avg_pool2d(x[0], [op.Kernel, op.Kernel], [op.Stride, op.Stride], [op.Padding, op.Padding], false, true));

        // The adjoint of average pooling is a depthwise transposed convolution with a 1/k² kernel.
        Add<AvgPool2dGradOp>(t, (op, x) =>
        {
            long c = op.InputShape[1];
            using var weight = (1.0 / (op.Kernel * op.Kernel)).ToScalar();
            using var w = torch.full([c, 1, op.Kernel, op.Kernel], weight, x[0].dtype, x[0].device);
            long oph = op.InputShape[2] - ((x[0].shape[2] - 1) * op.Stride - 2 * op.Padding + op.Kernel);
            long opw = op.InputShape[3] - ((x[0].shape[3] - 1) * op.Stride - 2 * op.Padding + op.Kernel);
            return torch.nn.functional.conv_transpose2d(x[0], w, null, [op.Stride, op.Stride], [op.Padding, op.Padding], [oph, opw], [1, 1], c);
        });
    }

    /// <summary>
    /// A new handle on a convolution operand in the layout its kernel reads fastest: channels-last (NHWC strides,
    /// the same NCHW shape) for float32 on the CPU where <see cref="KernelContext.ChannelsLast"/> is set, else the
    /// tensor as it is. oneDNN reads and writes NHWC directly, where an NCHW operand is reordered on every call;
    /// the output follows the input's layout, and so do batch norm, ReLU and additions, so a conv net stays
    /// channels-last from its first convolution on. Measured on 2 cores (forward + both gradients): 64→64
    /// channels at 32 px, batch 128, 297 ms NCHW against 218 ms; at 14 px stride 2, batch 256, 41.5 against 22.5 ms.
    /// oneDNN keeps NCHW output where the input has one channel (a grey image reads the same in both layouts), so
    /// the convolution's output goes through here too: element-wise kernels on mixed layouts (a ReLU gradient of
    /// an NCHW output and a channels-last dy) ran three times slower.
    /// </summary>
    internal static TT ConvolutionLayout(TT x, KernelContext ctx)
    {
        if (!ctx.ChannelsLast || x.dim() != 4 || x.dtype != torch.ScalarType.Float32 || x.device_type != DeviceType.CPU || IsChannelsLast(x))
            return x.alias();
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    /// <summary>True where x's strides are channels-last: channels densest, then width, height, batch.</summary>
    static bool IsChannelsLast(TT x)
    {
        long c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var s = x.stride();
        return s[1] == 1 && s[3] == c && s[2] == w * c && (s[0] == h * w * c || x.shape[0] == 1);
    }
}
