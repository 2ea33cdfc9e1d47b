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
            using var y = Conv2d(op, input, weight);
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
    /// conv2d, or where the filters tile the image (stride = kernel, no padding: a ViT's patch embedding) the
    /// same product as one matrix multiply of the patches, [N·H'·W', C·k·k] × [C·k·k, O]. Under autograd its
    /// weight gradient is then one matrix multiply too: oneDNN's convolution took 3.1 ms for the weight gradient
    /// of MAE's 7×7 patch embedding at batch 128 (and 0.87 ms forward), for a product of 0.1 GFLOP.
    /// </summary>
    internal static TT Conv2d(Conv2dOp op, TT x, TT w)
    {
        long k = w.shape[2];
        if (op.Padding != 0 || op.Groups != 1 || op.Stride != k || w.shape[3] != k)
            return torch.nn.functional.conv2d(x, w, null, [op.Stride, op.Stride], [op.Padding, op.Padding], [1, 1], op.Groups);
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], rows = x.shape[2] / k, cols = x.shape[3] / k, o = w.shape[0];
        var tiled = x.narrow(2, 0, rows * k).narrow(3, 0, cols * k);   // the floor drops what no window covers
        var patches = tiled.reshape(n, c, rows, k, cols, k).permute(0, 2, 4, 1, 3, 5).reshape(n * rows * cols, c * k * k);
        var y = patches.matmul(w.reshape(o, c * k * k).t());
        // [N, H', W', O] read as [N, O, H', W']: channels-last strides, as the convolution kernels leave them.
        return y.view(n, rows, cols, o).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A new handle on a convolution operand in the layout its kernel reads fastest: channels-last (NHWC strides,
    /// the same NCHW shape) for float32 on the CPU where <see cref="KernelContext.ChannelsLast"/> is set, else the
    /// tensor as it is. oneDNN reads and writes NHWC directly, where an NCHW operand is reordered on every call;
    /// the output follows the input's layout, and so do batch norm, ReLU and additions, so a conv net stays
    /// channels-last from its first convolution on. Measured on 2 cores (forward + both gradients): 64→64
    /// channels at 32 px, batch 128, 297 ms NCHW against 218 ms; at 14 px stride 2, batch 256, 41.5 against 22.5 ms.
    /// The convolution's output goes through here too, in case oneDNN chose NCHW for it: element-wise kernels on
    /// mixed layouts (a ReLU gradient of an NCHW output and a channels-last dy) ran three times slower.
    /// </summary>
    internal static TT ConvolutionLayout(TT x, KernelContext ctx)
    {
        if (!ctx.ChannelsLast || x.dim() != 4 || x.dtype != torch.ScalarType.Float32 || x.device_type != DeviceType.CPU || IsChannelsLast(x))
            return x.alias();
        long c = x.shape[1], h = x.shape[2], w = x.shape[3];
        // One channel: the same memory in both layouts, so only the strides change (no copy), and oneDNN, which
        // keys its output layout on them, then writes channels-last too.
        if (c == 1 && x.is_contiguous()) return x.as_strided(x.shape, [h * w, 1, w, 1], x.storage_offset());
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
