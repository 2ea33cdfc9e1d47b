using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;
using static Dsl.Backend.DirectML.Interop.DML_TENSOR_DATA_TYPE;

namespace Dsl.Tests.DirectML.Reference;

// TOP_K1, ONE_HOT, RANDOM_GENERATOR (Philox 4x32-10), FILL_VALUE_SEQUENCE, ELEMENT_WISE_CLIP and
// ELEMENT_WISE_COS, for the indexing and random lowerings.
internal static unsafe partial class DmlGraphInterpreter
{
    static partial void RegisterIndexing(Dictionary<DML_OPERATOR_TYPE, FamilyOperator> table)
    {
        table[DML_OPERATOR_TOP_K1] = new(op =>
        {
            var d = (DML_TOP_K1_OPERATOR_DESC*)op->Desc;
            return new([Read(d->InputTensor)], [Read(d->OutputValueTensor), Read(d->OutputIndexTensor)]);
        }, TopK);
        table[DML_OPERATOR_ONE_HOT] = new(op =>
        {
            var d = (DML_ONE_HOT_OPERATOR_DESC*)op->Desc;
            return new([Read(d->IndicesTensor), Read(d->ValuesTensor)], [Read(d->OutputTensor)]);
        }, OneHot);
        table[DML_OPERATOR_RANDOM_GENERATOR] = new(op =>
        {
            var d = (DML_RANDOM_GENERATOR_OPERATOR_DESC*)op->Desc;
            return new([Read(d->InputStateTensor)], [Read(d->OutputTensor), d->OutputStateTensor == null ? null : Read(d->OutputStateTensor)]);
        }, RandomGenerator);
        table[DML_OPERATOR_FILL_VALUE_SEQUENCE] = new(op => new([], [Read(((DML_FILL_VALUE_SEQUENCE_OPERATOR_DESC*)op->Desc)->OutputTensor)]), FillSequence);
        table[DML_OPERATOR_ELEMENT_WISE_CLIP] = new(op =>
        {
            var d = (DML_ELEMENT_WISE_CLIP_OPERATOR_DESC*)op->Desc;
            return new([Read(d->InputTensor)], [Read(d->OutputTensor)]);
        }, (op, signature, inputs, where) =>
        {
            var d = (DML_ELEMENT_WISE_CLIP_OPERATOR_DESC*)op->Desc;
            var (scale, bias) = d->ScaleBias == null ? (1f, 0f) : (d->ScaleBias->Scale, d->ScaleBias->Bias);
            var (min, max) = (d->Min, d->Max);
            return [FloatUnary(signature, inputs, where, x => Math.Clamp(x * scale + bias, min, max))];
        });
        table[DML_OPERATOR_ELEMENT_WISE_COS] = new(op =>
        {
            var d = (DML_ELEMENT_WISE_COS_OPERATOR_DESC*)op->Desc;
            return new([Read(d->InputTensor)], [Read(d->OutputTensor)]);
        }, (op, signature, inputs, where) =>
        {
            var d = (DML_ELEMENT_WISE_COS_OPERATOR_DESC*)op->Desc;
            var (scale, bias) = d->ScaleBias == null ? (1f, 0f) : (d->ScaleBias->Scale, d->ScaleBias->Bias);
            return [FloatUnary(signature, inputs, where, x => MathF.Cos(x * scale + bias))];
        });
    }

    /// <summary>An element's value from its stored float: UINT32 elements are stored as their bits, every other type as its value.</summary>
    internal static double Load(DML_TENSOR_DATA_TYPE type, float stored) => type == DML_TENSOR_DATA_TYPE_UINT32 ? BitConverter.SingleToUInt32Bits(stored) : stored;

    /// <summary>
    /// The stored float of a value converted to <paramref name="type"/>: rounded to float32, or
    /// truncated toward zero for integers (wrapping modulo 2^32 into UINT32, as C's conversion
    /// of a 64-bit integer).
    /// </summary>
    internal static float Store(DML_TENSOR_DATA_TYPE type, double value) => type switch
    {
        DML_TENSOR_DATA_TYPE_FLOAT32 => (float)value,
        DML_TENSOR_DATA_TYPE_UINT32 => BitConverter.UInt32BitsToSingle(unchecked((uint)(long)Math.Truncate(value))),
        _ => (float)Math.Truncate(value),
    };

    static float[] FloatUnary(OperatorSignature signature, float[]?[] inputs, string where, Func<float, float> f)
    {
        TensorDesc[] tensors = [signature.Inputs[0]!, signature.Outputs[0]!];
        Require(tensors.All(t => t.DataType == DML_TENSOR_DATA_TYPE_FLOAT32), $"{where}: data types {string.Join(", ", tensors.Select(t => t.DataType))}");
        var output = new float[tensors[1].BufferElements];
        Elementwise(tensors, [inputs[0]!], output, where, v => f(v[0]));
        return output;
    }

    /// <summary>
    /// TOP_K1: per sequence along the axis, the K smallest (INCREASING) or largest (DECREASING)
    /// values in that order, ties by ascending index in both directions, indices UINT32. K may
    /// equal the axis length here (argsort's use).
    /// </summary>
    static float[]?[] TopK(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_TOP_K1_OPERATOR_DESC*)op->Desc;
        var (x, values, indices) = (signature.Inputs[0]!, signature.Outputs[0]!, signature.Outputs[1]!);
        var n = x.Sizes.Length;
        var axis = (int)d->Axis;
        Require(axis < n && values.Sizes.Length == n && indices.Sizes.Length == n, $"{where}: axis {axis} or dimension counts");
        Require(d->K > 0 && d->K <= x.Sizes[axis], $"{where}: K {d->K} for an axis of {x.Sizes[axis]}");
        Require(values.DataType == x.DataType && (x.DataType is DML_TENSOR_DATA_TYPE_FLOAT32 or DML_TENSOR_DATA_TYPE_INT32) && indices.DataType == DML_TENSOR_DATA_TYPE_UINT32,
            $"{where}: data types {x.DataType} -> {values.DataType}, {indices.DataType}");
        for (var a = 0; a < n; a++)
        {
            var expected = a == axis ? d->K : x.Sizes[a];
            Require(values.Sizes[a] == expected && indices.Sizes[a] == expected, $"{where}: output sizes in dimension {a}");
        }
        var descending = d->AxisDirection == DML_AXIS_DIRECTION.DML_AXIS_DIRECTION_DECREASING;
        var outValues = new float[values.BufferElements];
        var outIndices = new float[indices.BufferElements];
        var length = (int)x.Sizes[axis];
        var index = new uint[n];
        var sequences = x.ElementCount / length;
        var outer = (uint[])x.Sizes.Clone();
        outer[axis] = 1;
        for (long s = 0; s < sequences; s++)
        {
            var row = new float[length];
            for (var i = 0; i < length; i++)
            {
                index[axis] = (uint)i;
                row[i] = inputs[0]![x.Offset(index)];
            }
            // A stable sort by value keeps tied elements in ascending index order.
            var order = Enumerable.Range(0, length).ToArray();
            var sorted = descending ? order.OrderByDescending(i => row[i]).ToArray() : order.OrderBy(i => row[i]).ToArray();
            for (var i = 0; i < d->K; i++)
            {
                index[axis] = (uint)i;
                outValues[values.Offset(index)] = row[sorted[i]];
                outIndices[indices.Offset(index)] = Store(DML_TENSOR_DATA_TYPE_UINT32, sorted[i]);
            }
            index[axis] = 0;
            Increment(index, outer);
        }
        return [outValues, outIndices];
    }

    /// <summary>
    /// ONE_HOT: the output is the off value (ValuesTensor's first element) except, in each sequence
    /// along the axis, the on value (its next element along the last dimension of size above 1) at
    /// the sequence's index; negative indices of signed types count from the end, indices out of
    /// range leave the sequence off.
    /// </summary>
    static float[]?[] OneHot(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_ONE_HOT_OPERATOR_DESC*)op->Desc;
        var (idx, values, o) = (signature.Inputs[0]!, signature.Inputs[1]!, signature.Outputs[0]!);
        var n = o.Sizes.Length;
        var axis = (int)d->Axis;
        Require(axis < n && idx.Sizes.Length == n && values.Sizes.Length == n, $"{where}: axis {axis} or dimension counts");
        Require(idx.DataType is DML_TENSOR_DATA_TYPE_INT64 or DML_TENSOR_DATA_TYPE_INT32 or DML_TENSOR_DATA_TYPE_UINT32, $"{where}: index type {idx.DataType}");
        Require(values.DataType == o.DataType && o.DataType == DML_TENSOR_DATA_TYPE_FLOAT32, $"{where}: value types {values.DataType} -> {o.DataType}");
        Require(values.ElementCount >= 2, $"{where}: ValuesTensor of {values.ElementCount} elements");
        for (var a = 0; a < n; a++)
            Require(idx.Sizes[a] == (a == axis ? 1 : o.Sizes[a]), $"{where}: indices sizes [{string.Join(",", idx.Sizes)}] for output [{string.Join(",", o.Sizes)}]");
        var fastest = Array.FindLastIndex(values.Sizes, s => s > 1);
        var onAt = new uint[n];
        onAt[fastest] = 1;
        var (off, on) = (inputs[1]![0], inputs[1]![values.Offset(onAt)]);
        var output = new float[o.BufferElements];
        var index = new uint[n];
        var idxIndex = new uint[n];
        for (long i = 0; i < o.ElementCount; i++)
        {
            index.CopyTo(idxIndex, 0);
            idxIndex[axis] = 0;
            var at = Load(idx.DataType, inputs[0]![idx.Offset(idxIndex)]);
            if (at < 0 && idx.DataType != DML_TENSOR_DATA_TYPE_UINT32)
                at += o.Sizes[axis];
            output[o.Offset(index)] = at == index[axis] ? on : off;
            Increment(index, o.Sizes);
        }
        return [output];
    }

    /// <summary>FILL_VALUE_SEQUENCE: ValueStart + i · ValueDelta for the i-th element in packed order (FLOAT32 or UINT32).</summary>
    static float[]?[] FillSequence(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_FILL_VALUE_SEQUENCE_OPERATOR_DESC*)op->Desc;
        var o = signature.Outputs[0]!;
        Require(d->ValueDataType == o.DataType && o.DataType is DML_TENSOR_DATA_TYPE_FLOAT32 or DML_TENSOR_DATA_TYPE_UINT32, $"{where}: value type {d->ValueDataType} for a {o.DataType} output");
        var isFloat = o.DataType == DML_TENSOR_DATA_TYPE_FLOAT32;
        double start = isFloat ? d->ValueStart.Float32 : (uint)d->ValueStart.UInt64, delta = isFloat ? d->ValueDelta.Float32 : (uint)d->ValueDelta.UInt64;
        var output = new float[o.BufferElements];
        var index = new uint[o.Sizes.Length];
        for (long i = 0; i < o.ElementCount; i++)
        {
            output[o.Offset(index)] = isFloat ? (float)(start + i * delta) : Store(o.DataType, (ulong)(start + i * delta) % 4294967296UL);
            Increment(index, o.Sizes);
        }
        return [output];
    }

    /// <summary>
    /// RANDOM_GENERATOR, Philox 4x32-10: state words 0–3 are the 128-bit counter (word 0 the least
    /// significant), words 4–5 the key. Output element i (packed order) is word i mod 4 of
    /// Philox(counter + ⌊i / 4⌋, key); the output state is the counter advanced by ⌈n / 4⌉.
    /// </summary>
    static float[]?[] RandomGenerator(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        var d = (DML_RANDOM_GENERATOR_OPERATOR_DESC*)op->Desc;
        var (state, o, outState) = (signature.Inputs[0]!, signature.Outputs[0]!, signature.Outputs[1]);
        Require(d->Type == DML_RANDOM_GENERATOR_TYPE.DML_RANDOM_GENERATOR_TYPE_PHILOX_4X32_10, $"{where}: generator {d->Type}");
        foreach (var t in outState is null ? [state, o] : new[] { state, o, outState })
            Require(t.DataType == DML_TENSOR_DATA_TYPE_UINT32 && t.Sizes.Length == 4, $"{where}: a {t.DataType} tensor of {t.Sizes.Length} dimensions");
        Require(state.Sizes.SequenceEqual([1u, 1u, 1u, 6u]) && (outState is null || outState.Sizes.SequenceEqual([1u, 1u, 1u, 6u])), $"{where}: state sizes");
        var words = new uint[6];
        for (var w = 0; w < 6; w++)
            words[w] = (uint)Load(DML_TENSOR_DATA_TYPE_UINT32, inputs[0]![w * state.Strides[3]]);
        var counter = new UInt128(((ulong)words[3] << 32) | words[2], ((ulong)words[1] << 32) | words[0]);
        var output = new float[o.BufferElements];
        var index = new uint[4];
        var block = new uint[4];
        for (long i = 0; i < o.ElementCount; i++)
        {
            if (i % 4 == 0)
                block = Philox4x32(counter + (UInt128)(ulong)(i / 4), words[4], words[5]);
            output[o.Offset(index)] = BitConverter.UInt32BitsToSingle(block[i % 4]);
            Increment(index, o.Sizes);
        }
        if (outState is null)
            return [output, null];
        var next = counter + (UInt128)(ulong)((o.ElementCount + 3) / 4);
        var nextState = new float[outState.BufferElements];
        uint[] nextWords = [(uint)next, (uint)(next >> 32), (uint)(next >> 64), (uint)(next >> 96), words[4], words[5]];
        for (var w = 0; w < 6; w++)
            nextState[w * outState.Strides[3]] = BitConverter.UInt32BitsToSingle(nextWords[w]);
        return [output, nextState];
    }

    /// <summary>Philox 4x32-10 (Salmon et al., Random123): ten rounds of the 4x32 S-box, the key bumped by the Weyl constants between rounds.</summary>
    internal static uint[] Philox4x32(UInt128 counter, uint key0, uint key1)
    {
        uint c0 = (uint)counter, c1 = (uint)(counter >> 32), c2 = (uint)(counter >> 64), c3 = (uint)(counter >> 96);
        for (var round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                key0 += 0x9E3779B9;
                key1 += 0xBB67AE85;
            }
            var p0 = (ulong)0xD2511F53 * c0;
            var p1 = (ulong)0xCD9E8D57 * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ key0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ key1, (uint)p0);
        }
        return [c0, c1, c2, c3];
    }
}
