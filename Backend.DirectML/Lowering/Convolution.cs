using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;
using static Dsl.Backend.DirectML.Interop.DML_TENSOR_DATA_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// The convolution family: Conv2d (CONVOLUTION forward, cross-correlation), Conv2dInputGrad
// (CONVOLUTION backward, i.e. transposed, with output padding for the rows the forward's floor
// dropped), both with GroupCount = the op's groups, Conv2dWeightGrad (a forward CONVOLUTION of x and dy with batch and channel axes
// swapped by strides, dilation = stride, the floor's dropped rows left out of its padding or view),
// MaxPool2d (MAX_POOLING2; its indices, when read, made per-plane INT64), AvgPool2d
// (AVERAGE_POOLING) and AvgPool2dGrad (AVERAGE_POOLING_GRAD), padding counted in the average as
// PyTorch does. All tensors are 4-D [N, C, H, W]; the window's padding is symmetric.
internal static unsafe partial class DmlLoweringTable
{
    /// <summary>Spatial dimensions of every 2-D convolution and pooling description.</summary>
    const uint SpatialDimensions = 2;

    static void RegisterConvolution(Dictionary<Type, DmlOpRule> t)
    {
        Add<Conv2dOp>(t, new(Plan("convolution, forward, cross-correlation, GroupCount = groups", DML_OPERATOR_CONVOLUTION),
            DmlLayout.Fixed, Chain((arena, node) => [Conv2dForward(arena, node, (Conv2dOp)node.Op)])));
        Add<Conv2dInputGradOp>(t, new(Plan("convolution, backward direction (transposed), output padding for the forward's floor, GroupCount = groups", DML_OPERATOR_CONVOLUTION),
            DmlLayout.Fixed, Chain((arena, node) => [Conv2dInputGrad(arena, node, (Conv2dInputGradOp)node.Op)])));
        Add<Conv2dWeightGradOp>(t, new(Plan("no weight-gradient operator: convolution of x and dy with batch and channel axes swapped by strides, dilation = stride, the output transposed by strides; rows the floor dropped left out of the padding or view; with groups, x first copied group-major so the convolution runs with GroupCount = groups",
            DML_OPERATOR_CONVOLUTION, DML_OPERATOR_ELEMENT_WISE_IDENTITY), DmlLayout.Fixed, (c, node) => LowerConv2dWeightGrad(c.Arena, node, (Conv2dWeightGradOp)node.Op)));
        Add<MaxPool2dOp>(t, new(Plan("max pooling; when its indices are read, MAX_POOLING2's UINT32 indices (flat over the whole input) less the planes' offsets (n·C + c)·H·W from FILL_VALUE_SEQUENCE, cast to int64; inputs up to 2^32 elements",
            DML_OPERATOR_MAX_POOLING2, DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_CAST), DmlLayout.Fixed, (c, node) => c.IsRead(1)
                ? LowerMaxPool2dWithIndices(c.Arena, node, (MaxPool2dOp)node.Op)
                : DmlLowering.Chain([(nint)MaxPool2d(c.Arena, node, (MaxPool2dOp)node.Op)], node.Inputs.Count, node.Outputs.Count))
        { Int64 = DmlInt64.IndicesOutput });
        Add<AvgPool2dOp>(t, new(Plan("average pooling, padding counted in the divisor", DML_OPERATOR_AVERAGE_POOLING),
            DmlLayout.Fixed, Chain((arena, node) => [AvgPool2d(arena, node, (AvgPool2dOp)node.Op)])));
        Add<AvgPool2dGradOp>(t, new(Plan("average pooling gradient, padding counted in the divisor", DML_OPERATOR_AVERAGE_POOLING_GRAD),
            DmlLayout.Fixed, Chain((arena, node) => [AvgPool2dGrad(arena, node, (AvgPool2dGradOp)node.Op)])));
    }

    static DML_OPERATOR_DESC* Conv2dForward(DmlNativeArena arena, Node node, Conv2dOp op)
    {
        var conv = Convolution(arena, TensorDesc(arena, node.Inputs[0].Shape), TensorDesc(arena, node.Inputs[1].Shape), TensorDesc(arena, node.Outputs[0].Shape),
            DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_FORWARD, stride: op.Stride, dilation: 1, Symmetric(op.Padding), Symmetric(op.Padding), outputPadding: (0, 0), op.Groups);
        return Op(arena, DML_OPERATOR_CONVOLUTION, conv);
    }

    /// <summary>
    /// dx = the transposed convolution of dy [N, O, Ho, Wo] with w [O, C, kh, kw], which is
    /// already the backward direction's filter layout (input channels of the transposed
    /// convolution first, as in ONNX ConvTranspose). Its output is s·(Ho - 1) + k - 2p long, short
    /// of H by r = (H + 2p - k) mod s, the rows the forward's floor cut off; OutputPadding r
    /// extends the output by them at the end (as Torch's output_padding does). With groups, w's
    /// [O, C/G, kh, kw] is ConvTranspose's grouped layout too ([input channels, output channels / G, ...]).
    /// </summary>
    static DML_OPERATOR_DESC* Conv2dInputGrad(DmlNativeArena arena, Node node, Conv2dInputGradOp op)
    {
        var (dy, w, x) = (node.Inputs[0].Shape, node.Inputs[1].Shape, op.InputShape);
        var extra = ((uint)((x[2] + 2 * op.Padding - w[2]) % op.Stride), (uint)((x[3] + 2 * op.Padding - w[3]) % op.Stride));
        var conv = Convolution(arena, TensorDesc(arena, dy), TensorDesc(arena, w), TensorDesc(arena, x),
            DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_BACKWARD, stride: op.Stride, dilation: 1, Symmetric(op.Padding), Symmetric(op.Padding), extra, op.Groups);
        return Op(arena, DML_OPERATOR_CONVOLUTION, conv);
    }

    /// <summary>
    /// DirectML has no weight-gradient operator. dw[o, c, i, j] = Σ_{n, y, x} dy[n, o, y, x] ·
    /// xpad[n, c, y·s + i, x·s + j] is a forward cross-correlation whose batch is x's channels and
    /// whose filter is dy, both read as [channels, batch, H, W] through swapped strides (no copy),
    /// stride 1, dilation s, padding p; its output [C, O, kh, kw] is written through swapped strides
    /// straight into dw's packed [O, C, kh, kw] buffer. When the forward's floor dropped
    /// r = (H + 2p - kh) mod s rows, the last r rows of the padded input feed only outputs beyond
    /// the kernel (kh + r of them): they are left out, first from the end padding, then from the
    /// end of x's view (same strides, fewer rows), so the output is exactly kh long with no crop.
    /// </summary>
    /// <remarks>
    /// With G groups, filter o meets only the C/G channels of its group g = o / (O/G):
    /// dw[o, c', i, j] = Σ dy[n, o, ...] · xpad[n, g·C/G + c', ...]. The convolution's batch is then
    /// c' (C/G of them) and its input channels (g, n), G·N of them, which is a grouped convolution
    /// with GroupCount G and filter dy read as [O, N, Ho, Wo]. Channel g·N + n is no single stride of
    /// x, so an IDENTITY first copies x to a packed [C/G, G, N, H·W] (x read through strides), which
    /// the convolution reads as [C/G, G·N, H, W].
    /// </remarks>
    static DmlLowering LowerConv2dWeightGrad(DmlNativeArena arena, Node node, Conv2dWeightGradOp op)
    {
        if (op.Groups == 1)
            return DmlLowering.Chain([(nint)Conv2dWeightGrad(arena, node, op, groupMajor: false)], node.Inputs.Count, node.Outputs.Count);
        var x = node.Inputs[0].Shape;
        uint n = (uint)x[0], c = (uint)x[1], plane = (uint)(x[2] * x[3]), g = (uint)op.Groups, cg = c / g;
        uint[] sizes = [cg, g, n, plane];
        var copy = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, sizes, [plane, cg * plane, c * plane, 1]), StatShape(sizes), null), DmlRead.Input(0));
        var conv = Part(Conv2dWeightGrad(arena, node, op, groupMajor: true), new DmlRead(0, 0), DmlRead.Input(1));
        return new DmlLowering([copy, conv], [new DmlRead(1, 0)]);
    }

    /// <summary>The weight gradient's CONVOLUTION, reading x itself, or its group-major copy [C/G, G, N, H, W] when <paramref name="groupMajor"/>.</summary>
    static DML_OPERATOR_DESC* Conv2dWeightGrad(DmlNativeArena arena, Node node, Conv2dWeightGradOp op, bool groupMajor)
    {
        var (x, dy, w) = (node.Inputs[0].Shape, node.Inputs[1].Shape, op.WeightShape);
        uint n = (uint)x[0], c = (uint)w[1], h = (uint)x[2], wd = (uint)x[3], groups = (uint)op.Groups;
        uint o = (uint)dy[1], ho = (uint)dy[2], wo = (uint)dy[3];
        uint kh = (uint)w[2], kw = (uint)w[3], p = (uint)op.Padding;
        uint cutH = (uint)((x[2] + 2 * op.Padding - w[2]) % op.Stride), cutW = (uint)((x[3] + 2 * op.Padding - w[3]) % op.Stride);
        uint endH = p - Math.Min(p, cutH), endW = p - Math.Min(p, cutW);
        uint fewerH = cutH - Math.Min(p, cutH), fewerW = cutW - Math.Min(p, cutW);
        // Only when the padding exceeds what the window ever reads of x (then dw is zero).
        if (fewerH >= h || fewerW >= wd)
            throw new NotSupportedException($"The DirectML graph builder does not lower a conv2d weight gradient whose kernel sees only padding (padding {op.Padding} beyond the input {x}) at {Where(node)}.");

        // x as [C, N, H, W] by strides, or its group-major copy as [C/G, G·N, H, W]; either may be read rows or columns short.
        var input = !groupMajor
            ? TensorDesc(arena, [c, n, h - fewerH, wd - fewerW], [h * wd, c * h * wd, wd, 1])
            : TensorDesc(arena, [c, groups * n, h - fewerH, wd - fewerW], [groups * n * h * wd, h * wd, wd, 1]);
        // The view may end before x's buffer does; the description still declares the whole buffer, as bound.
        ((DML_BUFFER_TENSOR_DESC*)input->Desc)->TotalTensorSizeInBytes = DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32, Pad(x));
        var filter = TensorDesc(arena, [o, n, ho, wo], [ho * wo, o * ho * wo, wo, 1]);
        var output = TensorDesc(arena, [c, o, kh, kw], [kh * kw, c * kh * kw, kw, 1]);
        var conv = Convolution(arena, input, filter, output, DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_FORWARD,
            stride: 1, dilation: op.Stride, start: (p, p), end: (endH, endW), outputPadding: (0, 0), op.Groups);
        return Op(arena, DML_OPERATOR_CONVOLUTION, conv);
    }

    /// <summary>
    /// MAX_POOLING2 without its indices output, for a node whose indices nothing reads (a node
    /// whose indices are read is lowered by <see cref="LowerMaxPool2dWithIndices"/>).
    /// </summary>
    static DML_OPERATOR_DESC* MaxPool2d(DmlNativeArena arena, Node node, MaxPool2dOp op) =>
        Op(arena, DML_OPERATOR_MAX_POOLING2, MaxPooling(arena, node, op, withIndices: false));

    /// <summary>The MAX_POOLING2 description of <paramref name="op"/>, its OutputIndicesTensor UINT32 (the only index type at feature level 3_0) when <paramref name="withIndices"/>.</summary>
    static DML_MAX_POOLING2_OPERATOR_DESC* MaxPooling(DmlNativeArena arena, Node node, MaxPool2dOp op, bool withIndices)
    {
        var pool = arena.Alloc<DML_MAX_POOLING2_OPERATOR_DESC>();
        pool->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
        pool->OutputTensor = TensorDesc(arena, node.Outputs[0].Shape);
        pool->OutputIndicesTensor = withIndices ? TensorDesc(arena, Pad(node.Outputs[1].Shape), null, DML_TENSOR_DATA_TYPE_UINT32) : null;
        pool->DimensionCount = SpatialDimensions;
        pool->Strides = Both(arena, (uint)op.Stride);
        pool->WindowSize = Both(arena, (uint)op.Kernel);
        pool->StartPadding = Both(arena, (uint)op.Padding);
        pool->EndPadding = Both(arena, (uint)op.Padding);
        pool->Dilations = Both(arena, 1);
        return pool;
    }

    /// <summary>
    /// MaxPool2d whose indices something reads (the max-pooling gradient scatters by them).
    /// MAX_POOLING2 writes UINT32 indices flat over the whole input (n and c included; ties keep
    /// the first element in window order, as Torch does); the IR's are flat within each H·W
    /// plane. FILL_VALUE_SEQUENCE writes the planes' offsets (n·C + c)·H·W as a packed UINT32
    /// [N, C, 1, 1], SUBTRACT takes them from the indices (read with zero strides over the pooled
    /// H and W; UINT32 is a SUBTRACT type at 3_0, so exact), CAST widens to INT64. Four operators;
    /// the flat index must fit UINT32, so inputs of more than 2^32 elements are refused.
    /// </summary>
    static DmlLowering LowerMaxPool2dWithIndices(DmlNativeArena arena, Node node, MaxPool2dOp op)
    {
        var x = node.Inputs[0].Shape;
        if (x.Numel > 1L << 32)
            throw new NotSupportedException(
                $"max_pool2d at {Where(node)}: its indices are read, and MAX_POOLING2's UINT32 indices (the only index type at feature level 3_0) count the whole input {x}, {x.Numel} elements, more than 2^32.");
        uint n = (uint)x[0], c = (uint)x[1], plane = (uint)(x[2] * x[3]);
        var pooled = Pad(node.Outputs[1].Shape);
        var pool = Part(Op(arena, DML_OPERATOR_MAX_POOLING2, MaxPooling(arena, node, op, withIndices: true)), DmlRead.Input(0));

        var offsets = arena.Alloc<DML_FILL_VALUE_SEQUENCE_OPERATOR_DESC>();
        offsets->OutputTensor = TensorDesc(arena, [n, c, 1, 1], null, DML_TENSOR_DATA_TYPE_UINT32);
        offsets->ValueDataType = DML_TENSOR_DATA_TYPE_UINT32;
        offsets->ValueStart = default;
        offsets->ValueDelta = new DML_SCALAR_UNION { UInt64 = plane };
        var fill = Part(Op(arena, DML_OPERATOR_FILL_VALUE_SEQUENCE, offsets));

        var subtract = Part(Binary(arena, DML_OPERATOR_ELEMENT_WISE_SUBTRACT,
            TensorDesc(arena, pooled, null, DML_TENSOR_DATA_TYPE_UINT32),
            TensorDesc(arena, pooled, [c, 1, 0, 0], DML_TENSOR_DATA_TYPE_UINT32),
            pooled, DML_TENSOR_DATA_TYPE_UINT32), new DmlRead(0, 1), new DmlRead(1, 0));
        var cast = Part(Cast(arena, TensorDesc(arena, pooled, null, DML_TENSOR_DATA_TYPE_UINT32), node.Outputs[1].Shape, DML_TENSOR_DATA_TYPE_INT64), new DmlRead(2, 0));
        return new DmlLowering([pool, fill, subtract, cast], [new DmlRead(0, 0), new DmlRead(3, 0)]);
    }

    /// <summary>AVERAGE_POOLING counting padding in the divisor (k² everywhere: with the floor and padding ≤ k/2 no window leaves the padded input).</summary>
    static DML_OPERATOR_DESC* AvgPool2d(DmlNativeArena arena, Node node, AvgPool2dOp op)
    {
        var pool = arena.Alloc<DML_AVERAGE_POOLING_OPERATOR_DESC>();
        pool->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
        pool->OutputTensor = TensorDesc(arena, node.Outputs[0].Shape);
        pool->DimensionCount = SpatialDimensions;
        pool->Strides = Both(arena, (uint)op.Stride);
        pool->WindowSize = Both(arena, (uint)op.Kernel);
        pool->StartPadding = Both(arena, (uint)op.Padding);
        pool->EndPadding = Both(arena, (uint)op.Padding);
        pool->IncludePadding = 1;
        return Op(arena, DML_OPERATOR_AVERAGE_POOLING, pool);
    }

    /// <summary>AVERAGE_POOLING_GRAD: dy has the pooled sizes, dx the input's (rows no window read get zeros).</summary>
    static DML_OPERATOR_DESC* AvgPool2dGrad(DmlNativeArena arena, Node node, AvgPool2dGradOp op)
    {
        var grad = arena.Alloc<DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC>();
        grad->InputGradientTensor = TensorDesc(arena, node.Inputs[0].Shape);
        grad->OutputGradientTensor = TensorDesc(arena, op.InputShape);
        grad->DimensionCount = SpatialDimensions;
        grad->Strides = Both(arena, (uint)op.Stride);
        grad->WindowSize = Both(arena, (uint)op.Kernel);
        grad->StartPadding = Both(arena, (uint)op.Padding);
        grad->EndPadding = Both(arena, (uint)op.Padding);
        grad->IncludePadding = 1;
        return Op(arena, DML_OPERATOR_AVERAGE_POOLING_GRAD, grad);
    }

    /// <summary>A 2-D CONVOLUTION (cross-correlation, no bias, no fused activation).</summary>
    static DML_CONVOLUTION_OPERATOR_DESC* Convolution(DmlNativeArena arena, DML_TENSOR_DESC* input, DML_TENSOR_DESC* filter, DML_TENSOR_DESC* output,
        DML_CONVOLUTION_DIRECTION direction, int stride, int dilation, (uint H, uint W) start, (uint H, uint W) end, (uint H, uint W) outputPadding, int groups)
    {
        var conv = arena.Alloc<DML_CONVOLUTION_OPERATOR_DESC>();
        conv->InputTensor = input;
        conv->FilterTensor = filter;
        conv->BiasTensor = null;
        conv->OutputTensor = output;
        conv->Mode = DML_CONVOLUTION_MODE.DML_CONVOLUTION_MODE_CROSS_CORRELATION;
        conv->Direction = direction;
        conv->DimensionCount = SpatialDimensions;
        conv->Strides = Both(arena, (uint)stride);
        conv->Dilations = Both(arena, (uint)dilation);
        conv->StartPadding = arena.Copy<uint>([start.H, start.W]);
        conv->EndPadding = arena.Copy<uint>([end.H, end.W]);
        conv->OutputPadding = arena.Copy<uint>([outputPadding.H, outputPadding.W]);
        conv->GroupCount = (uint)groups;
        conv->FusedActivation = null;
        return conv;
    }

    static uint* Both(DmlNativeArena arena, uint value) => arena.Copy<uint>([value, value]);

    static (uint H, uint W) Symmetric(int padding) => ((uint)padding, (uint)padding);
}
