using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The ops added for users (issue 12): each op and the gradients autodiff appends to it, built to a
/// native DML_GRAPH_DESC, run on the reference interpreter and compared with Backend.Torch, at a
/// rank the rank policy merges and at one it leaves as it is.
/// </summary>
public unsafe class DmlGraphBuilderAddedOpsTests
{
    /// <summary>y = op(inputs) and, for each float input, its gradient under a fed cotangent.</summary>
    static Graph WithGradients(string name, Shape[] shapes, Func<Tensor[], Tensor> op)
    {
        var g = new Graph(name);
        var inputs = shapes.Select((s, i) => g.Input($"x{i}", s)).ToArray();
        var y = op(inputs);
        g.Output("y", y);
        var grads = Autodiff.Gradients([(y, g.Input("cot", y.Shape))], inputs);
        for (var i = 0; i < grads.Length; i++)
            g.Output($"d{i}", grads[i]);
        return g;
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(2, 1, 3, 2, 2)]
    public void Silu_and_its_gradient_match_Torch(params int[] dims)
    {
        var types = GraphCheck.MatchesTorch(() => WithGradients("silu", [new Shape(dims)], x => Ops.Silu(x[0])), seed: 31);
        types.ShouldContain(DML_OPERATOR_ACTIVATION_SIGMOID);
        types.ShouldContain(DML_OPERATOR_ELEMENT_WISE_MULTIPLY);
    }

    [Theory]
    [InlineData(new[] { 2, 5, 3 }, new[] { 0, 2 })]
    [InlineData(new[] { 2, 3, 2, 2, 3 }, new[] { 1, 3 })]
    public void Min_and_its_gradient_match_Torch(int[] dims, int[] axes)
    {
        var types = GraphCheck.MatchesTorch(() => WithGradients("min", [new Shape(dims)], x => Ops.Min(x[0], axes, keepDims: true)), seed: 32);
        types.ShouldContain(DML_OPERATOR_REDUCE);
    }

    [Fact]
    public void ArgMax_and_the_gradient_through_its_index_match_Torch()
    {
        static Graph Build()
        {
            var g = WithGradients("argmax", [new Shape(4, 6)], x => Ops.TakeAlongAxis(x[0], Ops.ArgMax(x[0], 1, keepDims: true), 1));
            g.Output("index", Ops.ArgMax(g.Inputs.First(), 0));
            return g;
        }
        var types = GraphCheck.MatchesTorch(Build, seed: 33);
        types.ShouldContain(DML_OPERATOR_REDUCE);
        types.ShouldContain(DML_OPERATOR_CAST);
    }

    [Fact]
    public void ArgMax_of_rank_5_is_merged_around_its_axis()
    {
        static Graph Build()
        {
            var g = new Graph("argmax_rank5");
            var x = g.Input("x", new Shape(2, 3, 4, 2, 3));
            g.Output("index", Ops.ArgMax(x, 2));
            g.Output("kept", Ops.ArgMax(x, -1, keepDims: true));
            return g;
        }
        GraphCheck.MatchesTorch(Build, seed: 34).Count(t => t == DML_OPERATOR_REDUCE).ShouldBe(2);
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 4 }, new[] { 3, 1 })]
    [InlineData(new[] { 2, 1, 3, 2, 2 }, new[] { 2, 3, 3, 2, 2 }, new[] { 2, 2 })]
    public void Where_and_its_gradients_match_Torch(int[] cond, int[] a, int[] b)
    {
        // The condition is a 0/1 mask as compares make; its zeros pick b.
        var types = GraphCheck.MatchesTorch(() => WithGradients("where", [new Shape(cond), new Shape(a), new Shape(b)],
            x => Ops.Where(Ops.Greater(x[0], Ops.ZerosLike(x[0])), x[1], x[2])), seed: 35);
        types.ShouldContain(DML_OPERATOR_ELEMENT_WISE_IF);
    }

    [Fact]
    public void Embedding_and_its_gradient_match_Torch()
    {
        static Graph Build()
        {
            var g = new Graph("embedding");
            var w = g.Input("w", new Shape(5, 3));
            var y = Ops.Embedding(w, g.Input("idx", new Shape(2, 3), DType.Int64));
            g.Output("y", y);
            g.Output("dw", Autodiff.Gradients([(y, g.Input("cot", y.Shape))], [w])[0]);
            return g;
        }
        // Repeated indices, so gradient rows add up.
        long[] indices = [4, 0, 2, 2, 4, 1];
        var random = new System.Random(36);
        float[] Uniform(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var feeds = new Dictionary<string, float[]> { ["w"] = Uniform(15), ["idx"] = [.. indices.Select(i => (float)i)], ["cot"] = Uniform(18) };
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, [.. built.Inputs.Select(v => feeds[v.Name!])]);

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor>
        {
            ["w"] = HostTensor.F32(new Shape(5, 3), feeds["w"]),
            ["idx"] = HostTensor.I64(new Shape(2, 3), indices),
            ["cot"] = HostTensor.F32(new Shape(2, 3, 3), feeds["cot"]),
        });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-6);
        built.Nodes.Select(n => n.Op).ShouldContain(op => op is GatherOp);
    }

    [Fact]
    public void Nearest_upsampling_and_its_gradient_match_Torch()
    {
        // A reshape and a 6-D expand: the rank policy merges the expand, the gradient is a 6-D sum.
        var types = GraphCheck.MatchesTorch(() => WithGradients("upsample", [new Shape(2, 3, 4, 5)], x => Ops.UpsampleNearest2d(x[0], 2)), seed: 37);
        types.ShouldContain(DML_OPERATOR_ELEMENT_WISE_IDENTITY);
        types.ShouldContain(DML_OPERATOR_REDUCE);
    }

    [Fact]
    public void Bilinear_upsampling_and_its_gradient_match_Torch()
    {
        // Two matrix products with constant interpolation weights; the gradient is two more.
        var types = GraphCheck.MatchesTorch(() => WithGradients("upsample_bilinear", [new Shape(2, 3, 4, 5)], x => Ops.UpsampleBilinear2d(x[0], 2)), seed: 38);
        types.ShouldContain(DML_OPERATOR_GEMM);
    }

    [Theory]
    [InlineData(4, 6, 2, 5, 5, 1, 1)]   // two groups
    [InlineData(3, 3, 3, 7, 6, 2, 1)]   // depthwise, stride 2: the floor drops a row
    [InlineData(2, 4, 2, 8, 9, 2, 0)]   // depthwise with a channel multiplier of 2, no padding
    public void Grouped_convolution_and_its_gradients_match_Torch(int c, int o, int groups, int h, int w, int stride, int padding)
    {
        var build = () => WithGradients("conv_groups", [new Shape(2, c, h, w), new Shape(o, c / groups, 3, 3)], x => Ops.Conv2d(x[0], x[1], stride, padding, groups));
        var types = GraphCheck.MatchesTorch(build, seed: 39);
        types.Count(t => t == DML_OPERATOR_CONVOLUTION).ShouldBe(3);
        // The weight gradient's copy of x, group-major.
        types.ShouldContain(DML_OPERATOR_ELEMENT_WISE_IDENTITY);

        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(build(), operators.Create);
        var groupCounts = new List<uint>();
        for (var i = 0; i < (int)built.Desc->NodeCount; i++)
        {
            if (built.OperatorDesc(i)->Type == DML_OPERATOR_CONVOLUTION)
                groupCounts.Add(((DML_CONVOLUTION_OPERATOR_DESC*)built.OperatorDesc(i)->Desc)->GroupCount);
        }
        groupCounts.ShouldBe([(uint)groups, (uint)groups, (uint)groups]);
    }
}
