using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterConvolution(Dictionary<Type, Kernel> t)
    {
        Add<Conv2dOp>(t, (op, x) => torch.nn.functional.conv2d(x[0], x[1], null, [op.Stride, op.Stride], [op.Padding, op.Padding], [1, 1], op.Groups));

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
}
