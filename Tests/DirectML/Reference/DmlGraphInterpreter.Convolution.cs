using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML.Reference;

/// <summary>
/// The convolution family of the reference interpreter: CONVOLUTION (forward and backward, both
/// modes, dilations, asymmetric padding, output padding, optional bias, GroupCount; no fused
/// activation), MAX_POOLING2 (dilations; the optional UINT32 indices output, flat over the whole
/// input, ties to the first element in window order),
/// AVERAGE_POOLING and AVERAGE_POOLING_GRAD (with or without padding in the divisor), over 4-D
/// tensors (two spatial dimensions). Every tensor is read through its own strides, so an input
/// described with swapped axes is really read swapped; sums are in double.
/// </summary>
internal static unsafe partial class DmlGraphInterpreter
{
    static partial void RegisterConvolution(Dictionary<DML_OPERATOR_TYPE, FamilyOperator> table)
    {
        table[DML_OPERATOR_CONVOLUTION] = new FamilyOperator(ConvolutionSignature, RunConvolution);
        table[DML_OPERATOR_MAX_POOLING2] = new FamilyOperator(MaxPoolingSignature, RunMaxPooling);
        table[DML_OPERATOR_AVERAGE_POOLING] = new FamilyOperator(AveragePoolingSignature, RunAveragePooling);
        table[DML_OPERATOR_AVERAGE_POOLING_GRAD] = new FamilyOperator(AveragePoolingGradSignature, RunAveragePoolingGrad);
    }

    static OperatorSignature ConvolutionSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_CONVOLUTION_OPERATOR_DESC*)op->Desc;
        Require(d->FusedActivation == null, "CONVOLUTION: fused activations are not implemented by the reference");
        return new OperatorSignature([Read(d->InputTensor), Read(d->FilterTensor), d->BiasTensor == null ? null : Read(d->BiasTensor)], [Read(d->OutputTensor)]);
    }

    static OperatorSignature MaxPoolingSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_MAX_POOLING2_OPERATOR_DESC*)op->Desc;
        return new OperatorSignature([Read(d->InputTensor)], [Read(d->OutputTensor), d->OutputIndicesTensor == null ? null : Read(d->OutputIndicesTensor)]);
    }

    static OperatorSignature AveragePoolingSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_AVERAGE_POOLING_OPERATOR_DESC*)op->Desc;
        return new OperatorSignature([Read(d->InputTensor)], [Read(d->OutputTensor)]);
    }

    static OperatorSignature AveragePoolingGradSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC*)op->Desc;
        return new OperatorSignature([Read(d->InputGradientTensor)], [Read(d->OutputGradientTensor)]);
    }

    /// <summary>The spatial parameters of a 2-D window operator, validated.</summary>
    sealed record Window2d(uint[] Strides, uint[] Size, uint[] Start, uint[] End, uint[] Dilations)
    {
        /// <summary>How far one window reaches in spatial dimension <paramref name="a"/>: (size - 1)·dilation + 1.</summary>
        public long Extent(int a) => (long)(Size[a] - 1) * Dilations[a] + 1;

        /// <summary>The forward output length of spatial dimension <paramref name="a"/> for an input length (DirectML's floor formula).</summary>
        public long Out(int a, uint input)
        {
            var padded = (long)input + Start[a] + End[a];
            return padded < Extent(a) ? 0 : (padded - Extent(a)) / Strides[a] + 1;
        }
    }

    /// <summary>Reads DimensionCount-long arrays (null for Dilations means all 1, for pooling operators without them).</summary>
    static Window2d ReadWindow(uint dimensionCount, uint* strides, uint* size, uint* start, uint* end, uint* dilations, bool hasDilations, string where)
    {
        Require(dimensionCount == 2, $"{where}: DimensionCount {dimensionCount} (the reference implements 2 spatial dimensions, 4-D tensors)");
        Require(strides != null && size != null && start != null && end != null && (!hasDilations || dilations != null), $"{where}: null window arrays");
        var w = new Window2d(
            new ReadOnlySpan<uint>(strides, 2).ToArray(), new ReadOnlySpan<uint>(size, 2).ToArray(),
            new ReadOnlySpan<uint>(start, 2).ToArray(), new ReadOnlySpan<uint>(end, 2).ToArray(),
            hasDilations ? new ReadOnlySpan<uint>(dilations, 2).ToArray() : [1, 1]);
        for (var a = 0; a < 2; a++)
            Require(w.Strides[a] >= 1 && w.Size[a] >= 1 && w.Dilations[a] >= 1, $"{where}: stride {w.Strides[a]}, window {w.Size[a]}, dilation {w.Dilations[a]} in spatial dimension {a}");
        return w;
    }

    static void RequireFloat32(string where, params TensorDesc?[] tensors)
    {
        foreach (var t in tensors)
            Require(t is null || t.DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32, $"{where}: data type {t?.DataType} (the reference implements FLOAT32)");
    }

    static void Require4D(string where, params TensorDesc[] tensors)
    {
        foreach (var t in tensors)
            Require(t.Sizes.Length == 4, $"{where}: a tensor of {t.Sizes.Length} dimensions (2 spatial dimensions need 4)");
    }

    static string Sizes(TensorDesc t) => $"[{string.Join(",", t.Sizes)}]";

    /// <summary>
    /// Forward: y[n, o, oy, ox] = Σ x[n, c, oy·s - start + ky·d, ...] · f[o, c, ky, kx] (cross-correlation;
    /// CONVOLUTION mode flips the filter). Backward (transposed), the adjoint: x[n, ci, iy, ix] adds
    /// x · f[ci, co, ky, kx] into y[n, co, iy·s - start + ky·d, ...]; its output length is
    /// s·(in - 1) + extent - start - end + output padding. With G groups, c (forward) runs over
    /// the C/G input channels of o's group and f's channel axis counts within the group; backward,
    /// ci of group g adds into the O/G output channels of group g.
    /// </summary>
    static float[]?[] RunConvolution(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_CONVOLUTION_OPERATOR_DESC*)op->Desc;
        var (x, f, b, y) = (signature.Inputs[0]!, signature.Inputs[1]!, signature.Inputs[2], signature.Outputs[0]!);
        RequireFloat32(where, x, f, b, y);
        Require4D(where, x, f, y);
        Require(d->Mode is DML_CONVOLUTION_MODE.DML_CONVOLUTION_MODE_CROSS_CORRELATION or DML_CONVOLUTION_MODE.DML_CONVOLUTION_MODE_CONVOLUTION, $"{where}: mode {d->Mode}");
        Require(d->Direction is DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_FORWARD or DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_BACKWARD, $"{where}: direction {d->Direction}");
        Require(d->GroupCount >= 1, $"{where}: GroupCount {d->GroupCount}");
        Window2d w;
        // The window is the filter's spatial sizes.
        fixed (uint* kernel = new[] { f.Sizes[2], f.Sizes[3] })
            w = ReadWindow(d->DimensionCount, d->Strides, kernel, d->StartPadding, d->EndPadding, d->Dilations, hasDilations: true, where);
        Require(d->OutputPadding != null, $"{where}: null OutputPadding");
        var outputPadding = new ReadOnlySpan<uint>(d->OutputPadding, 2).ToArray();
        var backward = d->Direction == DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_BACKWARD;
        var flip = d->Mode == DML_CONVOLUTION_MODE.DML_CONVOLUTION_MODE_CONVOLUTION;

        uint n = x.Sizes[0], inC = x.Sizes[1], inH = x.Sizes[2], inW = x.Sizes[3];
        uint outC = y.Sizes[1], outH = y.Sizes[2], outW = y.Sizes[3], kh = f.Sizes[2], kw = f.Sizes[3];
        Require(y.Sizes[0] == n, $"{where}: batch sizes differ, input {Sizes(x)}, output {Sizes(y)}");
        // Groups split both channel counts; each filter (forward) or input channel (backward) meets only its group's channels.
        uint groups = d->GroupCount, inPerGroup = inC / groups, outPerGroup = outC / groups;
        Require(inC % groups == 0 && outC % groups == 0, $"{where}: GroupCount {groups} does not divide input channels {inC} and output channels {outC}");
        if (backward)
        {
            // The filter is [input channels, output channels / groups, kh, kw], as the forward convolution it transposes has it (ONNX ConvTranspose).
            Require(f.Sizes[0] == inC && f.Sizes[1] == outPerGroup, $"{where}: backward filter {Sizes(f)} is not [input channels {inC}, output channels {outC} / groups {groups}, kh, kw]");
            for (var a = 0; a < 2; a++)
            {
                Require(outputPadding[a] < Math.Max(w.Strides[a], w.Dilations[a]), $"{where}: output padding {outputPadding[a]} is not below the stride {w.Strides[a]} or dilation {w.Dilations[a]}");
                var want = (long)w.Strides[a] * (x.Sizes[2 + a] - 1) + w.Extent(a) - w.Start[a] - w.End[a] + outputPadding[a];
                Require(y.Sizes[2 + a] == want, $"{where}: output {Sizes(y)} has {y.Sizes[2 + a]} in spatial dimension {a}, a transposed convolution of {Sizes(x)} gives {want}");
            }
        }
        else
        {
            Require(f.Sizes[0] == outC && f.Sizes[1] == inPerGroup, $"{where}: filter {Sizes(f)} is not [output channels {outC}, input channels {inC} / groups {groups}, kh, kw]");
            for (var a = 0; a < 2; a++)
            {
                Require(outputPadding[a] == 0, $"{where}: output padding {outputPadding[a]} in a forward convolution");
                var want = w.Out(a, x.Sizes[2 + a]);
                Require(want >= 1 && y.Sizes[2 + a] == want, $"{where}: output {Sizes(y)} has {y.Sizes[2 + a]} in spatial dimension {a}, a convolution of {Sizes(x)} with {Sizes(f)} gives {want}");
            }
        }
        if (b is not null)
            Require(b.Sizes.Length == 4 && b.Sizes[0] == 1 && b.Sizes[1] == outC && b.Sizes[2] == 1 && b.Sizes[3] == 1, $"{where}: bias {Sizes(b)} is not [1, {outC}, 1, 1]");

        float[] xs = inputs[0]!, fs = inputs[1]!;
        var (xst, fst, yst) = (x.Strides, f.Strides, y.Strides);
        long sh = w.Strides[0], sw = w.Strides[1], dh = w.Dilations[0], dw = w.Dilations[1], ph = w.Start[0], pw = w.Start[1];
        // Packed accumulator over the output's logical elements.
        var acc = new double[(long)n * outC * outH * outW];
        if (b is not null)
        {
            for (uint o = 0; o < outC; o++)
            {
                var bias = (double)inputs[2]![o * b.Strides[1]];
                for (long i = 0; i < (long)n * outH * outW; i++)
                {
                    var (ni, rest) = Math.DivRem(i, (long)outH * outW);
                    acc[(ni * outC + o) * outH * outW + rest] = bias;
                }
            }
        }

        for (uint ni = 0; ni < n; ni++)
        {
            if (!backward)
            {
                for (uint o = 0; o < outC; o++)
                {
                    for (uint oy = 0; oy < outH; oy++)
                    {
                        for (uint ox = 0; ox < outW; ox++)
                        {
                            double sum = 0;
                            var firstC = o / outPerGroup * inPerGroup;
                            for (uint fc = 0; fc < inPerGroup; fc++)
                            {
                                var c = firstC + fc;
                                for (uint ky = 0; ky < kh; ky++)
                                {
                                    var iy = oy * sh - ph + ky * dh;
                                    if (iy < 0 || iy >= inH)
                                        continue;
                                    var fy = flip ? kh - 1 - ky : ky;
                                    for (uint kx = 0; kx < kw; kx++)
                                    {
                                        var ix = ox * sw - pw + kx * dw;
                                        if (ix < 0 || ix >= inW)
                                            continue;
                                        var fx = flip ? kw - 1 - kx : kx;
                                        sum += (double)xs[ni * xst[0] + c * xst[1] + iy * xst[2] + ix * xst[3]] * fs[o * fst[0] + fc * fst[1] + fy * fst[2] + fx * fst[3]];
                                    }
                                }
                            }
                            acc[((ni * outC + o) * outH + oy) * outW + ox] += sum;
                        }
                    }
                }
            }
            else
            {
                for (uint c = 0; c < inC; c++)
                {
                    for (uint iy = 0; iy < inH; iy++)
                    {
                        for (uint ix = 0; ix < inW; ix++)
                        {
                            var v = (double)xs[ni * xst[0] + c * xst[1] + iy * xst[2] + ix * xst[3]];
                            var firstO = c / inPerGroup * outPerGroup;
                            for (uint fo = 0; fo < outPerGroup; fo++)
                            {
                                var o = firstO + fo;
                                for (uint ky = 0; ky < kh; ky++)
                                {
                                    var oy = iy * sh - ph + ky * dh;
                                    if (oy < 0 || oy >= outH)
                                        continue;
                                    var fy = flip ? kh - 1 - ky : ky;
                                    for (uint kx = 0; kx < kw; kx++)
                                    {
                                        var ox = ix * sw - pw + kx * dw;
                                        if (ox < 0 || ox >= outW)
                                            continue;
                                        var fx = flip ? kw - 1 - kx : kx;
                                        acc[((ni * outC + o) * outH + oy) * outW + ox] += v * fs[c * fst[0] + fo * fst[1] + fy * fst[2] + fx * fst[3]];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [Store(acc, y)];
    }

    /// <summary>Writes a packed accumulator into a new buffer of <paramref name="t"/> through its strides.</summary>
    static float[] Store(double[] packed, TensorDesc t)
    {
        var output = new float[t.BufferElements];
        var index = new uint[t.Sizes.Length];
        for (long i = 0; i < packed.Length; i++)
        {
            output[t.Offset(index)] = (float)packed[i];
            Increment(index, t.Sizes);
        }
        return output;
    }

    /// <summary>Checks pooled [N, C, outH, outW] against [N, C, H, W] under the window's floor formula.</summary>
    static void RequirePooled(TensorDesc input, TensorDesc pooled, Window2d w, string where)
    {
        Require(pooled.Sizes[0] == input.Sizes[0] && pooled.Sizes[1] == input.Sizes[1], $"{where}: pooled {Sizes(pooled)} and input {Sizes(input)} differ in batch or channels");
        for (var a = 0; a < 2; a++)
        {
            var want = w.Out(a, input.Sizes[2 + a]);
            Require(want >= 1 && pooled.Sizes[2 + a] == want, $"{where}: pooled {Sizes(pooled)} has {pooled.Sizes[2 + a]} in spatial dimension {a}, pooling {Sizes(input)} gives {want}");
        }
    }

    /// <summary>
    /// MAX_POOLING2: the maximum over each window's elements inside the input (padding never wins)
    /// and, when described, its index as DirectML defines it: zero-based, the input treated as one
    /// contiguous array in logical order (n and c included, whatever its strides), UINT32 (the
    /// only index type at feature level 3_0); of equal values the first in window order (rows,
    /// then columns) wins, as in Torch.
    /// </summary>
    static float[]?[] RunMaxPooling(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_MAX_POOLING2_OPERATOR_DESC*)op->Desc;
        var (x, y, indices) = (signature.Inputs[0]!, signature.Outputs[0]!, signature.Outputs[1]);
        RequireFloat32(where, x, y);
        Require4D(where, x, y);
        var w = ReadWindow(d->DimensionCount, d->Strides, d->WindowSize, d->StartPadding, d->EndPadding, d->Dilations, hasDilations: true, where);
        RequirePooled(x, y, w, where);
        if (indices is null)
            return [Store(Pool(x, y, w, inputs[0]!, where, max: true, includePadding: false), y), null];
        Require(indices.DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32, $"{where}: indices data type {indices.DataType} (UINT32 at feature level 3_0)");
        Require4D(where, indices);
        Require(indices.Sizes.AsSpan().SequenceEqual(y.Sizes), $"{where}: indices {Sizes(indices)} and output {Sizes(y)} differ");
        var argmax = new long[y.ElementCount];
        var acc = Pool(x, y, w, inputs[0]!, where, max: true, includePadding: false, argmax);
        var output = new float[indices.BufferElements];
        var index = new uint[4];
        foreach (var flat in argmax)
        {
            output[indices.Offset(index)] = DmlGraphInterpreter.Store(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32, flat);
            Increment(index, indices.Sizes);
        }
        return [Store(acc, y), output];
    }

    static float[]?[] RunAveragePooling(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_AVERAGE_POOLING_OPERATOR_DESC*)op->Desc;
        var (x, y) = (signature.Inputs[0]!, signature.Outputs[0]!);
        RequireFloat32(where, x, y);
        Require4D(where, x, y);
        var w = ReadWindow(d->DimensionCount, d->Strides, d->WindowSize, d->StartPadding, d->EndPadding, null, hasDilations: false, where);
        RequirePooled(x, y, w, where);
        return [Store(Pool(x, y, w, inputs[0]!, where, max: false, includePadding: d->IncludePadding != 0), y)];
    }

    /// <summary>Max or average over each window; the average divides by the whole window with <paramref name="includePadding"/>, else by its elements inside the input.</summary>
    /// <param name="argmax">For max: receives, per output element in packed order, the winner's logical flat index in x (the first of equal values in window order).</param>
    static double[] Pool(TensorDesc x, TensorDesc y, Window2d w, float[] xs, string where, bool max, bool includePadding, long[]? argmax = null)
    {
        uint n = x.Sizes[0], c = x.Sizes[1], inH = x.Sizes[2], inW = x.Sizes[3], outH = y.Sizes[2], outW = y.Sizes[3];
        var st = x.Strides;
        var acc = new double[(long)n * c * outH * outW];
        long i = 0;
        for (uint ni = 0; ni < n; ni++)
        {
            for (uint ci = 0; ci < c; ci++)
            {
                var plane = ni * st[0] + ci * st[1];
                for (uint oy = 0; oy < outH; oy++)
                {
                    for (uint ox = 0; ox < outW; ox++, i++)
                    {
                        double value = max ? double.NegativeInfinity : 0;
                        var inside = 0;
                        for (uint ky = 0; ky < w.Size[0]; ky++)
                        {
                            var iy = (long)oy * w.Strides[0] - w.Start[0] + (long)ky * w.Dilations[0];
                            if (iy < 0 || iy >= inH)
                                continue;
                            for (uint kx = 0; kx < w.Size[1]; kx++)
                            {
                                var ix = (long)ox * w.Strides[1] - w.Start[1] + (long)kx * w.Dilations[1];
                                if (ix < 0 || ix >= inW)
                                    continue;
                                var v = (double)xs[plane + iy * st[2] + ix * st[3]];
                                if (!max)
                                    value += v;
                                else if (v > value || inside == 0)
                                {
                                    // Strictly greater: of equal values the first in window order stays.
                                    value = v;
                                    if (argmax is not null)
                                        argmax[i] = (((long)ni * c + ci) * inH + iy) * inW + ix;
                                }
                                inside++;
                            }
                        }
                        if (inside == 0)
                            Require(false, $"{where}: window ({oy}, {ox}) lies entirely in the padding");
                        acc[i] = max ? value : value / (includePadding ? (double)w.Size[0] * w.Size[1] : inside);
                    }
                }
            }
        }
        return acc;
    }

    /// <summary>AVERAGE_POOLING_GRAD: each input gradient element spread evenly over its window's elements inside the output gradient.</summary>
    static float[]?[] RunAveragePoolingGrad(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC*)op->Desc;
        var (dy, dx) = (signature.Inputs[0]!, signature.Outputs[0]!);
        RequireFloat32(where, dy, dx);
        Require4D(where, dy, dx);
        var w = ReadWindow(d->DimensionCount, d->Strides, d->WindowSize, d->StartPadding, d->EndPadding, null, hasDilations: false, where);
        // dy has the pooled sizes of dx.
        RequirePooled(dx, dy, w, where);
        uint n = dx.Sizes[0], c = dx.Sizes[1], inH = dx.Sizes[2], inW = dx.Sizes[3], outH = dy.Sizes[2], outW = dy.Sizes[3];
        var st = dy.Strides;
        var dys = inputs[0]!;
        var acc = new double[(long)n * c * inH * inW];
        for (uint ni = 0; ni < n; ni++)
        {
            for (uint ci = 0; ci < c; ci++)
            {
                var plane = ((long)ni * c + ci) * inH * inW;
                for (uint oy = 0; oy < outH; oy++)
                {
                    for (uint ox = 0; ox < outW; ox++)
                    {
                        long y0 = (long)oy * w.Strides[0] - w.Start[0], x0 = (long)ox * w.Strides[1] - w.Start[1];
                        long yLo = Math.Max(0, y0), yHi = Math.Min(inH, y0 + w.Size[0]), xLo = Math.Max(0, x0), xHi = Math.Min(inW, x0 + w.Size[1]);
                        var inside = (yHi - yLo) * (xHi - xLo);
                        if (inside <= 0)
                            Require(false, $"{where}: window ({oy}, {ox}) lies entirely in the padding");
                        var share = dys[ni * st[0] + ci * st[1] + oy * st[2] + ox * st[3]] / (d->IncludePadding != 0 ? (double)w.Size[0] * w.Size[1] : inside);
                        for (var iy = yLo; iy < yHi; iy++)
                        {
                            for (var ix = xLo; ix < xHi; ix++)
                                acc[plane + iy * inW + ix] += share;
                        }
                    }
                }
            }
        }
        return [Store(acc, dx)];
    }
}
