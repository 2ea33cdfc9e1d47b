using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Argsort and TopK (TOP_K1, then CAST of its UINT32 indices), ScatterAdd and IndexAdd (ONE_HOT, MULTIPLY,
/// REDUCE SUM) and int64 expand / permute / slice (CAST-based), interpreted and compared with
/// Backend.Torch; among them MAE's masking pattern and SimCLR's scatter-add.
/// </summary>
public unsafe class DmlGraphBuilderIndexingTests
{
    /// <summary>Interprets the lowered graph and compares every output with Backend.Torch (int64 feeds given as floats).</summary>
    static void AssertMatchesTorch(Func<Graph> build, Dictionary<string, float[]> feeds, double rtol = 1e-6, double atol = 1e-6)
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        var graph = build();
        var hostFeeds = graph.Values.Where(v => v.Name is not null && feeds.ContainsKey(v.Name)).ToDictionary(
            v => v.Name!,
            v => v.DType == DType.Int64 ? HostTensor.I64(v.Shape, feeds[v.Name!].Select(f => (long)f).ToArray()) : HostTensor.F32(v.Shape, feeds[v.Name!]));
        using var compiled = new TorchBackend().Compile(graph);
        TorchComparison.AssertOutputsMatch(built, outputs, compiled.Run(hostFeeds), rtol, atol);
    }

    static float[] Uniform(int seed, long count)
    {
        var random = new System.Random(seed);
        return Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>Distinct values (argsort has no ties to disagree on): a shuffled ramp.</summary>
    static float[] Distinct(int seed, int count)
    {
        var values = Enumerable.Range(0, count).Select(i => i * 0.25f - 3f).ToArray();
        new System.Random(seed).Shuffle(values);
        return values;
    }

    [Fact]
    public void Argsort_ascending_and_descending_on_several_axes_matches_Torch()
    {
        static Graph Build()
        {
            var g = new Graph("argsort");
            var a = g.Input("a", new Shape(3, 7));
            var b = g.Input("b", new Shape(4, 2, 5));
            g.Output("a_up", Ops.Argsort(a, 1));
            g.Output("a_down", Ops.Argsort(a, 1, descending: true));
            g.Output("b_axis0", Ops.Argsort(b, 0));
            g.Output("b_axis2_down", Ops.Argsort(b, 2, descending: true));
            return g;
        }
        AssertMatchesTorch(Build, new() { ["a"] = Distinct(1, 21), ["b"] = Distinct(2, 40) }, rtol: 0, atol: 0);
    }

    [Fact]
    public void Argsort_lowers_to_top_k_over_the_whole_axis_then_a_cast_of_the_index_output()
    {
        var g = new Graph("argsort");
        g.Output("i", Ops.Argsort(g.Input("x", new Shape(3, 7)), 1, descending: true));
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        built.Desc->NodeCount.ShouldBe(2u);
        built.OperatorDesc(0)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_TOP_K1);
        var topK = (DML_TOP_K1_OPERATOR_DESC*)built.OperatorDesc(0)->Desc;
        (topK->Axis, topK->K, topK->AxisDirection).ShouldBe((3u, 7u, DML_AXIS_DIRECTION.DML_AXIS_DIRECTION_DECREASING));
        ((DML_BUFFER_TENSOR_DESC*)topK->OutputIndexTensor->Desc)->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32);
        built.OperatorDesc(1)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_CAST);
        ((DML_BUFFER_TENSOR_DESC*)((DML_CAST_OPERATOR_DESC*)built.OperatorDesc(1)->Desc)->OutputTensor->Desc)->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64);
        // The cast reads TOP_K1's second output (the indices), not its values.
        built.Desc->IntermediateEdgeCount.ShouldBe(1u);
        var edge = (DML_INTERMEDIATE_GRAPH_EDGE_DESC*)built.Desc->IntermediateEdges[0].Desc;
        (edge->FromNodeIndex, edge->FromNodeOutputIndex, edge->ToNodeIndex, edge->ToNodeInputIndex).ShouldBe((0u, 1u, 1u, 0u));
    }

    [Fact]
    public void Top_k_values_indices_and_gradient_match_Torch_at_ranks_1_to_5()
    {
        static Graph Build()
        {
            var g = new Graph("top_k");
            var a = g.Input("a", new Shape(9));
            var b = g.Input("b", new Shape(3, 8));
            var c = g.Input("c", new Shape(2, 3, 5));
            var d = g.Input("d", new Shape(2, 1, 3, 2, 6));
            var (av, ai) = Ops.TopK(a, 4);
            var (bv, bi) = Ops.TopK(b, 1);
            var (cv, ci) = Ops.TopK(c, 5);
            var (dv, di) = Ops.TopK(d, 2);
            g.Output("a_values", av);
            g.Output("a_indices", ai);
            g.Output("b_values", bv);
            g.Output("b_indices", bi);
            g.Output("c_values", cv);
            g.Output("c_indices", ci);
            g.Output("d_values", dv);
            g.Output("d_indices", di);
            // The gradient of the values lands on the elements they were taken from (scatter-add).
            var dc = g.Input("dc", cv.Shape);
            g.Output("c_grad", Autodiff.Gradients(Ops.Sum(cv * dc), [c])[0]);
            return g;
        }
        AssertMatchesTorch(Build, new() { ["a"] = Distinct(4, 9), ["b"] = Distinct(5, 24), ["c"] = Distinct(6, 30), ["d"] = Distinct(7, 72), ["dc"] = Uniform(8, 30) }, rtol: 0, atol: 0);
    }

    [Fact]
    public void Top_k_lowers_to_top_k1_decreasing_and_casts_the_indices_only_when_read()
    {
        static DmlBuiltGraph Lower(bool readIndices, ReferenceOperators operators)
        {
            var g = new Graph("top_k");
            var (values, indices) = Ops.TopK(g.Input("x", new Shape(4, 10)), 3);
            g.Output("v", values);
            if (readIndices) g.Output("i", indices);
            return DmlGraphBuilder.Build(g, operators.Create);
        }
        using var operators = new ReferenceOperators();
        using (var built = Lower(readIndices: true, operators))
        {
            built.Desc->NodeCount.ShouldBe(2u);
            var topK = (DML_TOP_K1_OPERATOR_DESC*)built.OperatorDesc(0)->Desc;
            (topK->Axis, topK->K, topK->AxisDirection).ShouldBe((3u, 3u, DML_AXIS_DIRECTION.DML_AXIS_DIRECTION_DECREASING));
            new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)topK->OutputValueTensor->Desc)->Sizes, 4).ToArray().ShouldBe([1u, 1u, 4u, 3u]);
            built.OperatorDesc(1)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_CAST);
            var edge = (DML_INTERMEDIATE_GRAPH_EDGE_DESC*)built.Desc->IntermediateEdges[0].Desc;
            (edge->FromNodeIndex, edge->FromNodeOutputIndex).ShouldBe((0u, 1u));
        }
        using (var built = Lower(readIndices: false, operators))
        {
            built.Desc->NodeCount.ShouldBe(1u);
            built.OperatorDesc(0)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_TOP_K1);
        }
    }

    [Fact]
    public void Scatter_add_with_repeated_positions_matches_Torch_at_ranks_2_and_3()
    {
        static Graph Build()
        {
            var g = new Graph("scatter_add");
            var s2 = g.Input("s2", new Shape(4, 3));
            var i2 = g.Input("i2", new Shape(4, 3), DType.Int64);
            var s3 = g.Input("s3", new Shape(2, 3, 4));
            var i3 = g.Input("i3", new Shape(2, 3, 4), DType.Int64);
            g.Output("rank2_axis1", Ops.ScatterAdd(s2, i2, 1, new Shape(4, 5)));
            g.Output("rank2_axis0", Ops.ScatterAdd(s2, i2, 0, new Shape(6, 3)));
            g.Output("rank3_axis1", Ops.ScatterAdd(s3, i3, 1, new Shape(2, 5, 4)));
            return g;
        }
        var random = new System.Random(5);
        AssertMatchesTorch(Build, new()
        {
            ["s2"] = Uniform(10, 12),
            ["i2"] = Enumerable.Range(0, 12).Select(_ => (float)random.Next(3)).ToArray(),
            ["s3"] = Uniform(20, 24),
            ["i3"] = Enumerable.Range(0, 24).Select(_ => (float)random.Next(5)).ToArray(),
        });
    }

    [Fact]
    public void Index_add_with_repeated_indices_matches_Torch_on_the_first_middle_and_last_axis()
    {
        static Graph Build()
        {
            var g = new Graph("index_add");
            var src0 = g.Input("src0", new Shape(4, 3));
            var src1 = g.Input("src1", new Shape(2, 4, 3));
            var index = g.Input("index", new Shape(4), DType.Int64);
            g.Output("axis0", Ops.IndexAdd(src0, index, 0, new Shape(5, 3)));
            g.Output("axis1", Ops.IndexAdd(src1, index, 1, new Shape(2, 6, 3)));
            g.Output("last", Ops.IndexAdd(Ops.Permute(src0, 1, 0), index, 1, new Shape(3, 5)));
            return g;
        }
        AssertMatchesTorch(Build, new() { ["src0"] = Uniform(30, 12), ["src1"] = Uniform(40, 24), ["index"] = [4, 1, 4, 0] });
    }

    [Fact]
    public void Scatter_add_lowers_to_one_hot_multiply_and_reduce_over_the_source_axis()
    {
        var g = new Graph("scatter_add");
        var s = g.Input("s", new Shape(2, 3, 4));
        g.Output("y", Ops.ScatterAdd(s, g.Input("i", new Shape(2, 3, 4), DType.Int64), 1, new Shape(2, 5, 4)));
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        Enumerable.Range(0, (int)built.Desc->NodeCount).Select(i => built.OperatorDesc(i)->Type).ShouldBe([
            DML_OPERATOR_TYPE.DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_TYPE.DML_OPERATOR_ONE_HOT,
            DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_TYPE.DML_OPERATOR_REDUCE]);
        var oneHot = (DML_ONE_HOT_OPERATOR_DESC*)built.OperatorDesc(1)->Desc;
        oneHot->Axis.ShouldBe(2u);
        var indices = (DML_BUFFER_TENSOR_DESC*)oneHot->IndicesTensor->Desc;
        indices->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64);
        new ReadOnlySpan<uint>(indices->Sizes, 4).ToArray().ShouldBe([2u, 3u, 1u, 4u]);
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)oneHot->OutputTensor->Desc)->Sizes, 4).ToArray().ShouldBe([2u, 3u, 5u, 4u]);
        var reduce = (DML_REDUCE_OPERATOR_DESC*)built.OperatorDesc(3)->Desc;
        (reduce->Function, reduce->AxisCount, reduce->Axes[0]).ShouldBe((DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM, 1u, 1u));
    }

    [Fact]
    public void Mae_masking_pattern_argsort_slice_expand_take_and_scatter_add_matches_Torch()
    {
        const int N = 2, L = 6, D = 3, Keep = 4;
        static Graph Build()
        {
            var g = new Graph("mae_mask");
            var noise = g.Input("noise", new Shape(N, L));
            var x = g.Input("x", new Shape(N, L, D));
            var dy = g.Input("dy", new Shape(N, Keep, D));
            var shuffle = Ops.Argsort(noise, 1);
            var restore = Ops.Argsort(shuffle, 1);
            var keep = Ops.Slice(shuffle, 1, 0, Keep);
            var index = Ops.Expand(Ops.Reshape(keep, N, Keep, 1), new Shape(N, Keep, D));
            g.Output("kept", Ops.TakeAlongAxis(x, index, 1));
            g.Output("dx", Ops.ScatterAdd(dy, index, 1, new Shape(N, L, D)));
            g.Output("restore", restore);
            g.Output("mask", Ops.Cast(Ops.Permute(Ops.Slice(restore, 1, 1, L, 2), 1, 0), DType.Float32));
            return g;
        }
        AssertMatchesTorch(Build, new() { ["noise"] = Distinct(3, N * L), ["x"] = Uniform(50, N * L * D), ["dy"] = Uniform(60, N * Keep * D) });
    }

    [Fact]
    public void Simclr_scatter_add_of_a_rank_2_gradient_matches_Torch()
    {
        static Graph Build()
        {
            var g = new Graph("simclr");
            var logits = g.Input("logits", new Shape(6, 6));
            var labels = g.Input("labels", new Shape(6, 1), DType.Int64);
            var picked = Ops.TakeAlongAxis(logits, labels, 1);
            g.Output("dlogits", Ops.ScatterAdd(Ops.Exp(picked), labels, 1, new Shape(6, 6)));
            return g;
        }
        AssertMatchesTorch(Build, new() { ["logits"] = Uniform(70, 36), ["labels"] = [3, 4, 5, 0, 1, 2] });
    }

    [Fact]
    public void Int64_elsewhere_is_refused_with_the_rule()
    {
        var g = new Graph("int64_add");
        var a = g.Input("a", new Shape(3), DType.Int64);
        g.Output("y", Ops.Cast(Ops.Add(a, a), DType.Float32));
        using var operators = new ReferenceOperators();
        Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(g, operators.Create)).Message.ShouldContain("int64 is lowered as");
    }
}
