using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML;

/// <summary>
/// RandomUniform and RandomNormal lowered to RANDOM_GENERATOR (Philox 4x32-10) seeded from the
/// step's i64[2] (seed, offset) input. The numbers differ from Torch's generator by design, so the
/// contract is checked instead: range, moments, determinism for one seed input, different draws
/// for different seeds, offsets and streams; and the reference Philox against Random123's answers.
/// </summary>
public unsafe class DmlGraphBuilderRandomTests
{
    static readonly Shape Shape = new(64, 64);

    /// <summary>Two uniform ops (streams 0 and 1) and one normal op (stream 2) of one seed input.</summary>
    static Graph Build()
    {
        var g = new Graph("random");
        var seed = g.Input("seed", new Shape(2), DType.Int64);
        g.Output("u0", Ops.RandomUniform(seed, Shape));
        g.Output("u1", Ops.RandomUniform(seed, Shape));
        g.Output("n", Ops.RandomNormal(seed, Shape));
        return g;
    }

    static Dictionary<string, float[]> Run(long seed, long offset)
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        built.Inputs.Select(v => v.Name).ShouldBe(["seed"]);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, [[seed, offset]]);
        return built.Outputs.Select((o, k) => (o.Name!, outputs[k])).ToDictionary(p => p.Item1, p => p.Item2);
    }

    static (double Mean, double Variance) Moments(float[] values)
    {
        var mean = values.Average(v => (double)v);
        return (mean, values.Average(v => (v - mean) * (v - mean)));
    }

    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Reference_philox_4x32_10_gives_Random123s_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
    {
        var counter = new UInt128(((ulong)c3 << 32) | c2, ((ulong)c1 << 32) | c0);
        DmlGraphInterpreter.Philox4x32(counter, k0, k1).ShouldBe([r0, r1, r2, r3]);
    }

    [Fact]
    public void Uniform_draws_lie_in_0_1_with_the_moments_of_the_uniform_distribution()
    {
        foreach (var name in new[] { "u0", "u1" })
        {
            var u = Run(7, 0)[name];
            u.Length.ShouldBe((int)Shape.Numel);
            u.ShouldAllBe(v => v >= 0f && v < 1f);
            var (mean, variance) = Moments(u);
            mean.ShouldBe(0.5, 0.02, name);
            variance.ShouldBe(1.0 / 12, 0.006, name);
            // Every tenth of the interval gets its share (4096 draws: about 410 each).
            u.GroupBy(v => (int)(v * 10)).Select(b => b.Count()).ShouldAllBe(c => c > 330 && c < 490);
        }
    }

    [Fact]
    public void Normal_draws_have_mean_0_variance_1_and_normal_tails()
    {
        var n = Run(7, 0)["n"];
        var (mean, variance) = Moments(n);
        mean.ShouldBe(0, 0.06);
        variance.ShouldBe(1, 0.08);
        n.ShouldAllBe(v => Math.Abs(v) < 6f);
        ((double)n.Count(v => Math.Abs(v) < 1f) / n.Length).ShouldBe(0.6827, 0.03);
        ((double)n.Count(v => Math.Abs(v) < 2f) / n.Length).ShouldBe(0.9545, 0.015);
    }

    [Fact]
    public void The_same_seed_input_gives_the_same_numbers_and_seeds_offsets_and_streams_change_them()
    {
        var first = Run(7, 3);
        var again = Run(7, 3);
        foreach (var name in first.Keys)
            again[name].ShouldBe(first[name]);
        static int Same(float[] a, float[] b) => a.Zip(b).Count(p => p.First == p.Second);
        Same(first["u0"], first["u1"]).ShouldBeLessThan(20, "streams 0 and 1");
        Same(first["u0"], Run(8, 3)["u0"]).ShouldBeLessThan(20, "another seed");
        Same(first["u0"], Run(7, 4)["u0"]).ShouldBeLessThan(20, "another offset");
        Same(first["n"], Run(8, 3)["n"]).ShouldBeLessThan(20, "another seed (normal)");
    }

    [Fact]
    public void The_generator_state_is_stream_stream_stream_stream_seed_offset()
    {
        // u1 is stream 1: its first element is word 0 of Philox(counter [1, 1, 1, 1], key [seed, offset]), scaled by 2^-32.
        var u1 = Run(1234, 56)["u1"];
        var counter = new UInt128(((ulong)1 << 32) | 1, ((ulong)1 << 32) | 1);
        var block = DmlGraphInterpreter.Philox4x32(counter, 1234, 56);
        for (var i = 0; i < 4; i++)
            u1[i].ShouldBe(Math.Min((float)block[i] / 4294967296f, 1f - 1f / 16777216f));
        var next = DmlGraphInterpreter.Philox4x32(counter + 1, 1234, 56);
        u1[4].ShouldBe(Math.Min((float)next[0] / 4294967296f, 1f - 1f / 16777216f));
    }

    [Fact]
    public void Random_uniform_lowers_to_seed_state_generator_cast_and_clip()
    {
        var g = new Graph("uniform");
        g.Output("u", Ops.RandomUniform(g.Input("seed", new Shape(2), DType.Int64), new Shape(3, 5)));
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        Enumerable.Range(0, (int)built.Desc->NodeCount).Select(i => built.OperatorDesc(i)->Type).ShouldBe([
            DML_OPERATOR_TYPE.DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_TYPE.DML_OPERATOR_CAST, DML_OPERATOR_TYPE.DML_OPERATOR_JOIN,
            DML_OPERATOR_TYPE.DML_OPERATOR_RANDOM_GENERATOR, DML_OPERATOR_TYPE.DML_OPERATOR_CAST, DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_CLIP]);
        var generator = (DML_RANDOM_GENERATOR_OPERATOR_DESC*)built.OperatorDesc(3)->Desc;
        generator->Type.ShouldBe(DML_RANDOM_GENERATOR_TYPE.DML_RANDOM_GENERATOR_TYPE_PHILOX_4X32_10);
        (generator->OutputStateTensor == null).ShouldBeTrue();
        var state = (DML_BUFFER_TENSOR_DESC*)generator->InputStateTensor->Desc;
        (state->DataType, state->TotalTensorSizeInBytes).ShouldBe((DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32, 24ul));
        new ReadOnlySpan<uint>(state->Sizes, 4).ToArray().ShouldBe([1u, 1u, 1u, 6u]);
        // The seed input goes to the CAST only.
        built.Desc->InputEdgeCount.ShouldBe(1u);
        ((DML_INPUT_GRAPH_EDGE_DESC*)built.Desc->InputEdges[0].Desc)->ToNodeIndex.ShouldBe(1u);
    }

    [Fact]
    public void Dropout_keeps_about_1_minus_p_and_scales_the_kept()
    {
        var g = new Graph("dropout");
        var x = g.Input("x", Shape);
        g.Output("y", Ops.Dropout(x, 0.25, g.Input("seed", new Shape(2), DType.Int64)));
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        var feeds = new Dictionary<string, float[]> { ["x"] = Enumerable.Repeat(3f, (int)Shape.Numel).ToArray(), ["seed"] = [42, 0] };
        var y = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray())[0];
        y.ShouldAllBe(v => v == 0f || Math.Abs(v - 4f) < 1e-5f);
        ((double)y.Count(v => v != 0f) / y.Length).ShouldBe(0.75, 0.03);
    }
}
