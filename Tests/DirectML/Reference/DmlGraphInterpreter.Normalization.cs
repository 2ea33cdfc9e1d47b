using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML.Reference;

/// <summary>
/// Reference operators of the normalization family: batched GEMM (replacing the single-matrix
/// one), MEAN_VARIANCE_NORMALIZATION1, BATCH_NORMALIZATION, BATCH_NORMALIZATION_TRAINING_GRAD and ACTIVATION_GELU, all float32, computed in double.
/// What they check is what DirectML documents for feature level 3_0: 4-D GEMM tensors whose batch
/// sizes equal the output's (a broadcast is a zero stride), MVN and batch normalization on 4 or 5
/// dimensions with scale, bias and statistics of size 1 or the input's per dimension.
/// </summary>
internal static unsafe partial class DmlGraphInterpreter
{
    static partial void RegisterNormalization(Dictionary<DML_OPERATOR_TYPE, FamilyOperator> table)
    {
        table[DML_OPERATOR_GEMM] = new FamilyOperator(GemmSignature, BatchedGemm);
        table[DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1] = new FamilyOperator(MvnSignature, Mvn);
        table[DML_OPERATOR_BATCH_NORMALIZATION] = new FamilyOperator(BatchNormSignature, BatchNorm);
        table[DML_OPERATOR_ACTIVATION_GELU] = new FamilyOperator(GeluSignature, Gelu);
        table[DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD] = new FamilyOperator(BatchNormTrainingGradSignature, BatchNormTrainingGrad);
    }

    static OperatorSignature BatchNormTrainingGradSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_BATCH_NORMALIZATION_TRAINING_GRAD_OPERATOR_DESC*)op->Desc;
        return new OperatorSignature(
            [Read(d->InputTensor), Read(d->InputGradientTensor), Read(d->MeanTensor), Read(d->VarianceTensor), Read(d->ScaleTensor)],
            [Read(d->OutputGradientTensor), Read(d->OutputScaleGradientTensor), Read(d->OutputBiasGradientTensor)]);
    }

    /// <summary>
    /// BATCH_NORMALIZATION_TRAINING_GRAD (feature level 4_1), as DirectML documents it, per group of
    /// elements sharing a statistic: dx = scale·c·((dy - mean(dy)) - (x - mean(x))·mean(dy·(x - mean(x)))·c²)
    /// with c = 1/√(variance + ε); dscale = Σ dy·(x - Mean)·c; dbias = Σ dy.
    /// </summary>
    static float[]?[] BatchNormTrainingGrad(DML_OPERATOR_DESC* op, OperatorSignature s, float[]?[] inputs, string where)
    {
        RequireFloat32(s, where);
        var d = (DML_BATCH_NORMALIZATION_TRAINING_GRAD_OPERATOR_DESC*)op->Desc;
        TensorDesc x = s.Inputs[0]!, dy = s.Inputs[1]!, stat = s.Inputs[2]!;
        Require(dy.Sizes.AsSpan().SequenceEqual(x.Sizes) && s.Outputs[0]!.Sizes.AsSpan().SequenceEqual(x.Sizes), $"{where}: x, dy and dx sizes differ");
        foreach (var t in s.Inputs.Skip(2).Concat(s.Outputs.Skip(1)))
        {
            Require(t!.Sizes.AsSpan().SequenceEqual(stat.Sizes), $"{where}: the statistics, scale and their gradients must share sizes");
            for (var a = 0; a < x.Sizes.Length; a++)
                Require(stat.Sizes[a] == 1 || stat.Sizes[a] == x.Sizes[a], $"{where}: statistic sizes [{string.Join(",", stat.Sizes)}] for input [{string.Join(",", x.Sizes)}]");
        }
        var groups = (int)stat.ElementCount;
        double count = (double)x.ElementCount / groups;
        var index = new uint[x.Sizes.Length];
        // Per group: Σx, Σdy, then Σdy·(x - mean(x)) and Σdy·(x - Mean).
        double[] sumX = new double[groups], sumDy = new double[groups], sumCentred = new double[groups], sumGiven = new double[groups];
        var group = new int[x.ElementCount];
        for (long i = 0; i < x.ElementCount; i++)
        {
            var g = group[i] = GroupOf(stat, index);
            sumX[g] += inputs[0]![x.Offset(index)];
            sumDy[g] += inputs[1]![dy.Offset(index)];
            Increment(index, x.Sizes);
        }
        Array.Clear(index);
        for (long i = 0; i < x.ElementCount; i++)
        {
            var g = group[i];
            double xv = inputs[0]![x.Offset(index)], dyv = inputs[1]![dy.Offset(index)];
            sumCentred[g] += dyv * (xv - sumX[g] / count);
            sumGiven[g] += dyv * (xv - inputs[2]![Broadcast(stat, index)]);
            Increment(index, x.Sizes);
        }
        var dx = new float[s.Outputs[0]!.BufferElements];
        Array.Clear(index);
        for (long i = 0; i < x.ElementCount; i++)
        {
            var g = group[i];
            double c = 1 / Math.Sqrt(inputs[3]![Broadcast(stat, index)] + d->Epsilon), scale = inputs[4]![Broadcast(stat, index)];
            double xv = inputs[0]![x.Offset(index)], dyv = inputs[1]![dy.Offset(index)];
            dx[s.Outputs[0]!.Offset(index)] = (float)(scale * c * (dyv - sumDy[g] / count - (xv - sumX[g] / count) * (sumCentred[g] / count) * c * c));
            Increment(index, x.Sizes);
        }
        float[] dscale = new float[s.Outputs[1]!.BufferElements], dbias = new float[s.Outputs[2]!.BufferElements];
        var statIndex = new uint[stat.Sizes.Length];
        for (var g = 0; g < groups; g++)
        {
            dscale[s.Outputs[1]!.Offset(statIndex)] = (float)(sumGiven[g] / Math.Sqrt(inputs[3]![stat.Offset(statIndex)] + d->Epsilon));
            dbias[s.Outputs[2]!.Offset(statIndex)] = (float)sumDy[g];
            Increment(statIndex, stat.Sizes);
        }
        return [dx, dscale, dbias];
    }

    /// <summary>The row-major position, among the statistic's elements, of the one an input index reads.</summary>
    static int GroupOf(TensorDesc stat, uint[] index)
    {
        long g = 0;
        for (var a = 0; a < index.Length; a++)
            g = g * stat.Sizes[a] + (stat.Sizes[a] == 1 ? 0 : index[a]);
        return (int)g;
    }

    static OperatorSignature GeluSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_ACTIVATION_GELU_OPERATOR_DESC*)op->Desc;
        return new OperatorSignature([Read(d->InputTensor)], [Read(d->OutputTensor)]);
    }

    /// <summary>ACTIVATION_GELU (feature level 5_1): x · ½(1 + erf(x / √2)), erf in double.</summary>
    static float[]?[] Gelu(DML_OPERATOR_DESC* op, OperatorSignature s, float[]?[] inputs, string where)
    {
        RequireFloat32(s, where);
        var output = new float[s.Outputs[0]!.BufferElements];
        Elementwise([s.Inputs[0]!, s.Outputs[0]!], [inputs[0]!], output, where, v => (float)(0.5 * v[0] * (1 + Erf(v[0] / Math.Sqrt(2)))));
        return [output];
    }

    static TensorDesc? ReadOptional(DML_TENSOR_DESC* tensor) => tensor == null ? null : Read(tensor);

    static OperatorSignature GemmSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_GEMM_OPERATOR_DESC*)op->Desc;
        Require(d->FusedActivation == null, "GEMM: fused activations are not implemented by the reference");
        return new OperatorSignature([Read(d->ATensor), Read(d->BTensor), ReadOptional(d->CTensor)], [Read(d->OutputTensor)]);
    }

    static OperatorSignature MvnSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_MEAN_VARIANCE_NORMALIZATION1_OPERATOR_DESC*)op->Desc;
        Require(d->FusedActivation == null, "MEAN_VARIANCE_NORMALIZATION1: fused activations are not implemented by the reference");
        return new OperatorSignature([Read(d->InputTensor), ReadOptional(d->ScaleTensor), ReadOptional(d->BiasTensor)], [Read(d->OutputTensor)]);
    }

    static OperatorSignature BatchNormSignature(DML_OPERATOR_DESC* op)
    {
        var d = (DML_BATCH_NORMALIZATION_OPERATOR_DESC*)op->Desc;
        Require(d->FusedActivation == null, "BATCH_NORMALIZATION: fused activations are not implemented by the reference");
        return new OperatorSignature(
            [Read(d->InputTensor), Read(d->MeanTensor), Read(d->VarianceTensor), Read(d->ScaleTensor), Read(d->BiasTensor)],
            [Read(d->OutputTensor)]);
    }

    static void RequireFloat32(OperatorSignature s, string where) =>
        Require(s.Inputs.Concat(s.Outputs).All(t => t is null || t.DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32), $"{where}: float32 tensors only");

    /// <summary>GEMM on 4-D tensors: for each batch index, Alpha · op(A) · op(B) (+ Beta · C).</summary>
    static float[]?[] BatchedGemm(DML_OPERATOR_DESC* op, OperatorSignature s, float[]?[] inputs, string where)
    {
        RequireFloat32(s, where);
        var d = (DML_GEMM_OPERATOR_DESC*)op->Desc;
        TensorDesc a = s.Inputs[0]!, b = s.Inputs[1]!, o = s.Outputs[0]!;
        var c = s.Inputs[2];
        foreach (var t in new[] { a, b, c, o })
        {
            if (t is null)
                continue;
            Require(t.Sizes.Length == 4, $"{where}: GEMM takes 4-D tensors at feature level 3_0, got [{string.Join(",", t.Sizes)}]");
            Require(t.Sizes[0] == o.Sizes[0] && t.Sizes[1] == o.Sizes[1], $"{where}: batch sizes [{string.Join(",", t.Sizes)}] differ from the output's [{string.Join(",", o.Sizes)}] (broadcast with zero strides)");
        }
        var transA = d->TransA == DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE;
        var transB = d->TransB == DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE;
        uint m = o.Sizes[2], n = o.Sizes[3];
        var k = transA ? a.Sizes[2] : a.Sizes[3];
        Require((transA ? a.Sizes[3] : a.Sizes[2]) == m, $"{where}: A rows differ from the output's");
        Require((transB ? b.Sizes[3] : b.Sizes[2]) == k, $"{where}: inner dimensions differ");
        Require((transB ? b.Sizes[2] : b.Sizes[3]) == n, $"{where}: B columns differ from the output's");
        if (c is not null)
            Require(c.Sizes.AsSpan().SequenceEqual(o.Sizes), $"{where}: C's sizes differ from the output's");
        long aRow = transA ? a.Strides[3] : a.Strides[2], aCol = transA ? a.Strides[2] : a.Strides[3];
        long bRow = transB ? b.Strides[3] : b.Strides[2], bCol = transB ? b.Strides[2] : b.Strides[3];
        float[] av = inputs[0]!, bv = inputs[1]!;
        var output = new float[o.BufferElements];
        for (uint n0 = 0; n0 < o.Sizes[0]; n0++)
        {
            for (uint n1 = 0; n1 < o.Sizes[1]; n1++)
            {
                long aBase = n0 * a.Strides[0] + n1 * a.Strides[1], bBase = n0 * b.Strides[0] + n1 * b.Strides[1];
                long oBase = n0 * o.Strides[0] + n1 * o.Strides[1];
                for (long i = 0; i < m; i++)
                {
                    for (long j = 0; j < n; j++)
                    {
                        double sum = 0;
                        for (long p = 0; p < k; p++)
                            sum += (double)av[aBase + i * aRow + p * aCol] * bv[bBase + p * bRow + j * bCol];
                        var value = d->Alpha * sum;
                        if (c is not null)
                            value += d->Beta * inputs[2]![n0 * c.Strides[0] + n1 * c.Strides[1] + i * c.Strides[2] + j * c.Strides[3]];
                        output[oBase + i * o.Strides[2] + j * o.Strides[3]] = (float)value;
                    }
                }
            }
        }
        return [output];
    }

    /// <summary>MVN1: per index outside the axes, (x - mean) / √(variance + ε) (variance biased), then · scale + bias.</summary>
    static float[]?[] Mvn(DML_OPERATOR_DESC* op, OperatorSignature s, float[]?[] inputs, string where)
    {
        RequireFloat32(s, where);
        var d = (DML_MEAN_VARIANCE_NORMALIZATION1_OPERATOR_DESC*)op->Desc;
        TensorDesc x = s.Inputs[0]!, o = s.Outputs[0]!;
        var n = x.Sizes.Length;
        Require(n is 4 or 5 && o.Sizes.AsSpan().SequenceEqual(x.Sizes), $"{where}: input [{string.Join(",", x.Sizes)}], output [{string.Join(",", o.Sizes)}] (4 or 5 equal dimensions at feature level 3_0)");
        Require(d->AxisCount >= 1 && d->AxisCount <= n && d->Axes != null, $"{where}: {d->AxisCount} axes");
        var axes = new ReadOnlySpan<uint>(d->Axes, (int)d->AxisCount).ToArray();
        Require(axes.All(a => a < n) && axes.Distinct().Count() == axes.Length, $"{where}: axes [{string.Join(",", axes)}]");
        foreach (var t in new[] { s.Inputs[1], s.Inputs[2] })
        {
            if (t is not null)
                Require(t.Sizes.Length == n && t.Sizes.Select((z, a) => z == x.Sizes[a] || z == 1).All(ok => ok), $"{where}: scale or bias sizes [{string.Join(",", t.Sizes)}] for input [{string.Join(",", x.Sizes)}]");
        }
        Require(s.Inputs[1] is null == s.Inputs[2] is null, $"{where}: scale and bias are given together");

        // Outer index: the input's sizes with the axes collapsed to 1.
        var outer = x.Sizes.Select((z, a) => axes.Contains((uint)a) ? 1u : z).ToArray();
        var inner = x.Sizes.Select((z, a) => axes.Contains((uint)a) ? z : 1u).ToArray();
        var count = inner.Aggregate(1L, (p, z) => p * z);
        var output = new float[o.BufferElements];
        var oi = new uint[n];
        var ii = new uint[n];
        var at = new uint[n];
        var outerCount = outer.Aggregate(1L, (p, z) => p * z);
        for (long q = 0; q < outerCount; q++)
        {
            double sum = 0, squares = 0;
            Array.Clear(ii);
            for (long r = 0; r < count; r++)
            {
                for (var a = 0; a < n; a++)
                    at[a] = oi[a] + ii[a];
                sum += inputs[0]![x.Offset(at)];
                Increment(ii, inner);
            }
            var mean = sum / count;
            Array.Clear(ii);
            for (long r = 0; r < count; r++)
            {
                for (var a = 0; a < n; a++)
                    at[a] = oi[a] + ii[a];
                var centred = inputs[0]![x.Offset(at)] - mean;
                squares += centred * centred;
                Increment(ii, inner);
            }
            var scale = d->NormalizeVariance != 0 ? 1 / Math.Sqrt(squares / count + d->Epsilon) : 1;
            Array.Clear(ii);
            for (long r = 0; r < count; r++)
            {
                for (var a = 0; a < n; a++)
                    at[a] = oi[a] + ii[a];
                var value = (inputs[0]![x.Offset(at)] - mean) * scale;
                if (s.Inputs[1] is { } g)
                    value = value * inputs[1]![Broadcast(g, at)] + inputs[2]![Broadcast(s.Inputs[2]!, at)];
                output[o.Offset(at)] = (float)value;
                Increment(ii, inner);
            }
            Increment(oi, outer);
        }
        return [output];
    }

    /// <summary>BATCH_NORMALIZATION: (x - mean) / √(variance + ε) · scale + bias, the four read per element by broadcast.</summary>
    static float[]?[] BatchNorm(DML_OPERATOR_DESC* op, OperatorSignature s, float[]?[] inputs, string where)
    {
        RequireFloat32(s, where);
        var d = (DML_BATCH_NORMALIZATION_OPERATOR_DESC*)op->Desc;
        TensorDesc x = s.Inputs[0]!, o = s.Outputs[0]!;
        var n = x.Sizes.Length;
        Require(n is 4 or 5 && o.Sizes.AsSpan().SequenceEqual(x.Sizes), $"{where}: input [{string.Join(",", x.Sizes)}], output [{string.Join(",", o.Sizes)}] (4 or 5 equal dimensions at feature level 3_0)");
        for (var j = 1; j < 5; j++)
        {
            var t = s.Inputs[j]!;
            Require(t.Sizes.Length == n && t.Sizes[0] == 1, $"{where}: input {j} sizes [{string.Join(",", t.Sizes)}] (batch dimension 1)");
            // Spatial: one value per channel; otherwise per channel and position.
            for (var a = 1; a < n; a++)
                Require(t.Sizes[a] == ((d->Spatial != 0 && a >= 2) ? 1 : x.Sizes[a]) || t.Sizes[a] == 1, $"{where}: input {j} sizes [{string.Join(",", t.Sizes)}] for input [{string.Join(",", x.Sizes)}], Spatial {d->Spatial}");
        }
        var output = new float[o.BufferElements];
        var index = new uint[n];
        for (long i = 0; i < x.ElementCount; i++)
        {
            double mean = inputs[1]![Broadcast(s.Inputs[1]!, index)], variance = inputs[2]![Broadcast(s.Inputs[2]!, index)];
            double scale = inputs[3]![Broadcast(s.Inputs[3]!, index)], bias = inputs[4]![Broadcast(s.Inputs[4]!, index)];
            output[o.Offset(index)] = (float)((inputs[0]![x.Offset(index)] - mean) / Math.Sqrt(variance + d->Epsilon) * scale + bias);
            Increment(index, x.Sizes);
        }
        return [output];
    }

    /// <summary>The element offset in <paramref name="t"/> for an index into a larger tensor (coordinate 0 where t's size is 1).</summary>
    static long Broadcast(TensorDesc t, uint[] index)
    {
        long offset = 0;
        for (var a = 0; a < index.Length; a++)
            offset += (t.Sizes[a] == 1 ? 0 : index[a]) * (long)t.Strides[a];
        return offset;
    }
}
