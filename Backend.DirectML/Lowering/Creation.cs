using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;
using static Dsl.Backend.DirectML.Interop.DML_TENSOR_DATA_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// Full (FILL_VALUE_CONSTANT), constants (bound buffers), and RandomUniform and RandomNormal: Philox bits (RANDOM_GENERATOR) from the step's i64[2] seed.
internal static unsafe partial class DmlLoweringTable
{
    static void RegisterCreation(Dictionary<Type, DmlOpRule> t)
    {
        Add<ConstantOp>(t, new(Plan("none: uploaded once into a bound persistent buffer"), DmlLayout.GraphInput,
            (_, node) => throw new InvalidOperationException($"{node.Op.Describe()} is a graph input the runtime uploads, not an operator.")));
        Add<FullOp>(t, new(Plan("fill with a constant", DML_OPERATOR_FILL_VALUE_CONSTANT), DmlLayout.Fill, Chain(LowerFull)));
        Add<RandomUniformOp>(t, new(Plan("Philox state [stream ×4, seed, offset] by fill, cast and join; the bits cast to float32 and clipped with scale 2^-32 to [0, 1)",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_CAST, DML_OPERATOR_JOIN, DML_OPERATOR_RANDOM_GENERATOR, DML_OPERATOR_ELEMENT_WISE_CLIP),
            DmlLayout.Fixed, (c, node) => LowerRandom(c.Arena, node))
        { Int64 = DmlInt64.Seed });
        Add<RandomNormalOp>(t, new(Plan("two generators (the second from the first's output state) through Box-Muller",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_CAST, DML_OPERATOR_JOIN, DML_OPERATOR_RANDOM_GENERATOR, DML_OPERATOR_ELEMENT_WISE_CLIP,
            DML_OPERATOR_ELEMENT_WISE_LOG, DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_COS, DML_OPERATOR_ELEMENT_WISE_MULTIPLY),
            DmlLayout.Fixed, (c, node) => LowerRandom(c.Arena, node))
        { Int64 = DmlInt64.Seed });
    }

    /// <summary>FILL_VALUE_CONSTANT: no inputs, so the node gets no input edges.</summary>
    static DML_OPERATOR_DESC*[] LowerFull(DmlNativeArena arena, Node node)
    {
        var fill = arena.Alloc<DML_FILL_VALUE_CONSTANT_OPERATOR_DESC>();
        fill->OutputTensor = TensorDesc(arena, node.Output.Shape);
        fill->ValueDataType = DML_TENSOR_DATA_TYPE_FLOAT32;
        fill->Value = new DML_SCALAR_UNION { Float32 = (float)((FullOp)node.Op).Value };
        return [Op(arena, DML_OPERATOR_FILL_VALUE_CONSTANT, fill)];
    }

    /// <summary>2^-32: one unit of a 32-bit random word, as a fraction of [0, 1).</summary>
    const float Word = 1f / 4294967296f;

    /// <summary>
    /// The generator state {1,1,1,6} UINT32 (counter words 0–3, key words 4–5) as
    /// [stream, stream, stream, stream, seed, offset]: FILL_VALUE_SEQUENCE writes the stream into
    /// the four counter words, CAST narrows the i64[2] (seed, offset) input to UINT32 (the low 32
    /// bits of each), JOIN puts them together. The key is the seed and offset; the generator
    /// advances counter word 0 per four outputs, so the op's Stream in the upper counter words keeps
    /// draws of distinct streams on disjoint counters under one key. Parts 0–2 of the lowering.
    /// </summary>
    static DmlPart[] SeedState(DmlNativeArena arena, RandomOp op)
    {
        var stream = arena.Alloc<DML_FILL_VALUE_SEQUENCE_OPERATOR_DESC>();
        stream->OutputTensor = TensorDesc(arena, [1, 1, 1, 4], null, DML_TENSOR_DATA_TYPE_UINT32);
        stream->ValueDataType = DML_TENSOR_DATA_TYPE_UINT32;
        stream->ValueStart = new DML_SCALAR_UNION { UInt64 = unchecked((uint)op.Stream) };
        stream->ValueDelta = default;
        var seed = arena.Alloc<DML_CAST_OPERATOR_DESC>();
        seed->InputTensor = TensorDesc(arena, [1, 1, 1, 2], null, DML_TENSOR_DATA_TYPE_INT64);
        seed->OutputTensor = TensorDesc(arena, [1, 1, 1, 2], null, DML_TENSOR_DATA_TYPE_UINT32);
        var join = arena.Alloc<DML_JOIN_OPERATOR_DESC>();
        join->InputCount = 2;
        join->InputTensors = arena.Copy<DML_TENSOR_DESC>([*TensorDesc(arena, [1, 1, 1, 4], null, DML_TENSOR_DATA_TYPE_UINT32), *TensorDesc(arena, [1, 1, 1, 2], null, DML_TENSOR_DATA_TYPE_UINT32)]);
        join->OutputTensor = StateDesc(arena);
        join->Axis = 3;
        return [
            Part(Op(arena, DML_OPERATOR_FILL_VALUE_SEQUENCE, stream)),
            Part(Op(arena, DML_OPERATOR_CAST, seed), DmlRead.Input(0)),
            Part(Op(arena, DML_OPERATOR_JOIN, join), new DmlRead(0, 0), new DmlRead(1, 0)),
        ];
    }

    static DML_TENSOR_DESC* StateDesc(DmlNativeArena arena) => TensorDesc(arena, [1, 1, 1, 6], null, DML_TENSOR_DATA_TYPE_UINT32);

    /// <summary>
    /// RandomUniform: the seed state, RANDOM_GENERATOR bits, CAST to float32 (rounding to 24
    /// significant bits), then CLIP with scale 2^-32 to [0, 1 - 2^-24] (rounding can reach 1).
    /// RandomNormal: two generators, the second continuing from the first's output state, give
    /// words a and b; Box-Muller z = sqrt(-2 ln u)·cos(2π b·2^-32) with u = 1 - a·2^-32 clipped
    /// to [2^-24, 1] (so |z| ≤ 5.8). Numbers differ from Torch's generator by design.
    /// </summary>
    static DmlLowering LowerRandom(DmlNativeArena arena, Node node)
    {
        var op = (RandomOp)node.Op;
        var shape = node.Output.Shape;
        var parts = new List<DmlPart>(SeedState(arena, op));
        // Part c reads output 0 of part c - 1 unless it names its inputs.
        void Next(DML_OPERATOR_DESC* desc) => parts.Add(Part(desc, new DmlRead(parts.Count - 1, 0)));

        var first = arena.Alloc<DML_RANDOM_GENERATOR_OPERATOR_DESC>();
        first->InputStateTensor = StateDesc(arena);
        first->OutputTensor = TensorDesc(arena, Pad(shape), null, DML_TENSOR_DATA_TYPE_UINT32);
        first->OutputStateTensor = op is RandomNormalOp ? StateDesc(arena) : null;
        first->Type = DML_RANDOM_GENERATOR_TYPE.DML_RANDOM_GENERATOR_TYPE_PHILOX_4X32_10;
        Next(Op(arena, DML_OPERATOR_RANDOM_GENERATOR, first)); // part 3
        var bits = TensorDesc(arena, Pad(shape), null, DML_TENSOR_DATA_TYPE_UINT32);

        if (op is RandomUniformOp)
        {
            Next(Cast(arena, bits, shape, DML_TENSOR_DATA_TYPE_FLOAT32));
            Next(Clip(arena, shape, Word, 0f, 0f, 1f - 1f / 16777216f));
            return Last(parts);
        }

        var second = arena.Alloc<DML_RANDOM_GENERATOR_OPERATOR_DESC>();
        second->InputStateTensor = StateDesc(arena);
        second->OutputTensor = TensorDesc(arena, Pad(shape), null, DML_TENSOR_DATA_TYPE_UINT32);
        second->OutputStateTensor = null;
        second->Type = DML_RANDOM_GENERATOR_TYPE.DML_RANDOM_GENERATOR_TYPE_PHILOX_4X32_10;
        parts.Add(Part(Op(arena, DML_OPERATOR_RANDOM_GENERATOR, second), new DmlRead(3, 1))); // part 4: from the first's output state
        parts.Add(Part(Cast(arena, bits, shape, DML_TENSOR_DATA_TYPE_FLOAT32), new DmlRead(3, 0))); // 5
        Next(Clip(arena, shape, -Word, 1f, 1f / 16777216f, 1f)); // 6: u in (0, 1]
        Next(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_LOG, TensorDesc(arena, shape), shape, null)); // 7
        Next(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_SQRT, TensorDesc(arena, shape), shape, ScaleBias(arena, -2f, 0f))); // 8: the radius
        parts.Add(Part(Cast(arena, TensorDesc(arena, Pad(shape), null, DML_TENSOR_DATA_TYPE_UINT32), shape, DML_TENSOR_DATA_TYPE_FLOAT32), new DmlRead(4, 0))); // 9
        Next(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_COS, TensorDesc(arena, shape), shape, ScaleBias(arena, 2f * MathF.PI * Word, 0f))); // 10
        var multiply = arena.Alloc<DML_ELEMENT_WISE_MULTIPLY_OPERATOR_DESC>();
        multiply->ATensor = TensorDesc(arena, shape);
        multiply->BTensor = TensorDesc(arena, shape);
        multiply->OutputTensor = TensorDesc(arena, shape);
        parts.Add(Part(Op(arena, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, multiply), new DmlRead(8, 0), new DmlRead(10, 0))); // 11
        return Last(parts);
    }

    /// <summary>ELEMENT_WISE_CLIP: clamp(x · scale + bias, min, max), float32.</summary>
    static DML_OPERATOR_DESC* Clip(DmlNativeArena arena, Shape shape, float scale, float bias, float min, float max)
    {
        var clip = arena.Alloc<DML_ELEMENT_WISE_CLIP_OPERATOR_DESC>();
        clip->InputTensor = TensorDesc(arena, shape);
        clip->OutputTensor = TensorDesc(arena, shape);
        clip->ScaleBias = ScaleBias(arena, scale, bias);
        clip->Min = min;
        clip->Max = max;
        return Op(arena, DML_OPERATOR_ELEMENT_WISE_CLIP, clip);
    }
}
