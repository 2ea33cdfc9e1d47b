using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The rank policy: tensors of rank 5 to 9 (patchify permutes, broadcast adds, slices and their
/// gradients) lowered by merging dimensions to 4 (8 for element-wise copies and arithmetic), a
/// permute past 8 as a chain of block moves; run by the reference interpreter, compared with
/// Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderRankTests
{
    static Graph Patchify(int channels)
    {
        var g = new Graph("patchify");
        var x = g.Input("x", new Shape(2, channels, 3, 2, 4, 2));          // [B,C,h,p,w,p]
        var patches = Ops.Permute(x, 0, 2, 4, 3, 5, 1);                     // [B,h,w,p,p,C]
        g.Output("patches", patches);
        g.Output("back", Ops.Permute(Ops.Exp(patches), 0, 5, 1, 3, 2, 4));
        return g;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Rank_6_patchify_permutes_match_Torch(int channels)
    {
        var types = GraphCheck.MatchesTorch(() => Patchify(channels), seed: 20 + channels);
        types.ShouldAllBe(t => t == DML_OPERATOR_ELEMENT_WISE_IDENTITY || t == DML_OPERATOR_ELEMENT_WISE_EXP);
    }

    [Fact]
    public void A_rank_6_permute_is_one_identity_copy_of_6_dimensions()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Patchify(3), operators.Create);
        var permutes = Enumerable.Range(0, (int)built.Desc->NodeCount).Where(i => built.Nodes[i].Op is PermuteOp).ToArray();
        permutes.Length.ShouldBe(2);
        var identity = (DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)built.OperatorDesc(permutes[0])->Desc;
        var input = (DML_BUFFER_TENSOR_DESC*)identity->InputTensor->Desc;
        input->DimensionCount.ShouldBe(6u);
        // [B, h, w, p, p, C] read from [B, C, h, p, w, p] = [2, 3, 3, 2, 4, 2]: packed strides permuted.
        new ReadOnlySpan<uint>(input->Sizes, 6).ToArray().ShouldBe([2u, 3u, 4u, 2u, 2u, 3u]);
        new ReadOnlySpan<uint>(input->Strides, 6).ToArray().ShouldBe([144u, 16u, 2u, 8u, 1u, 48u]);
        ((DML_BUFFER_TENSOR_DESC*)identity->OutputTensor->Desc)->DimensionCount.ShouldBe(6u);

        // With C = 1 the channel dimension is dropped and B, h merge (adjacent in both): 4 dimensions.
        using var single = DmlGraphBuilder.Build(Patchify(1), operators.Create);
        var first = Array.FindIndex(single.Nodes.ToArray(), n => n.Op is PermuteOp);
        ((DML_BUFFER_TENSOR_DESC*)((DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)single.OperatorDesc(first)->Desc)->InputTensor->Desc)->DimensionCount.ShouldBe(4u);
    }

    [Fact]
    public void A_permute_of_more_than_8_unmergeable_dimensions_is_a_chain_of_block_moves()
    {
        var types = GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("reverse9");
            g.Output("y", Ops.Permute(g.Input("x", new Shape(2, 2, 2, 2, 2, 2, 2, 2, 2)), 8, 7, 6, 5, 4, 3, 2, 1, 0));
            return g;
        }, seed: 33);
        types.Length.ShouldBeGreaterThan(1);
        types.ShouldAllBe(t => t == DML_OPERATOR_ELEMENT_WISE_IDENTITY);
    }

    [Fact]
    public void Rank_5_add_slice_and_their_gradients_match_Torch()
    {
        GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("rank5");
            var x = g.Input("x", new Shape(2, 3, 4, 2, 5));
            var bias = g.Input("bias", new Shape(3, 1, 1, 5));
            var y = x + bias;                                                // broadcast over dims 0, 2, 3
            var s = Ops.Slice(y, axis: 2, start: 1, end: 4);
            var t = Ops.Slice(s, axis: 4, start: 0, end: 5, step: 2);
            var loss = Ops.Sum(t * t);
            g.Output("y", y);
            g.Output("t", t);
            var grads = Autodiff.Gradients(loss, [x, bias]);
            g.Output("dx", grads[0]);
            g.Output("dbias", grads[1]);
            g.Output("cat", Ops.Concat(3, x, Ops.Exp(x)));
            g.Output("sm", Ops.Softmax(x, -1));
            g.Output("red", Ops.Mean(x, [1, 3], keepDims: false));
            return g;
        }, seed: 30);
    }

    [Fact]
    public void A_rank_5_layer_norm_and_gelu_merge_to_rows()
    {
        GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("rank5norm");
            var x = g.Input("x", new Shape(2, 1, 3, 2, 6));
            var y = Ops.LayerNorm(Ops.Gelu(x), g.Input("w", new Shape(6)), g.Input("b", new Shape(6)));
            g.Output("y", y);
            return g;
        }, seed: 31);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    [InlineData(6, 3)]
    [InlineData(7, 4)]
    [InlineData(8, 5)]
    public void Random_permutes_of_rank_5_to_8_match_Torch(int rank, int seed)
    {
        var random = new System.Random(seed);
        // Sizes 1 to 3 (some 1s, which merging drops), a random permutation.
        var sizes = Enumerable.Range(0, rank).Select(_ => random.Next(1, 4)).ToArray();
        var perm = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).ToArray();
        GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("permute");
            g.Output("y", Ops.Permute(g.Input("x", new Shape(sizes)), perm));
            return g;
        }, seed: seed);
    }

    [Fact]
    public void Rank_5_expand_logsumexp_slice_grad_and_cast_match_Torch()
    {
        GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("rank5more");
            var x = g.Input("x", new Shape(2, 1, 3, 1, 4));
            g.Output("expand", Ops.Expand(x, new Shape(2, 5, 3, 2, 4)));
            g.Output("lse", Ops.LogSumExp(Ops.Expand(x, new Shape(2, 5, 3, 2, 4)), 2));
            g.Output("grad", Ops.SliceGrad(x, new Shape(2, 1, 7, 1, 4), axis: 2, start: 1, step: 2));
            g.Output("cast", Ops.Cast(Ops.Cast(x * 3.0, DType.Int64), DType.Float32));
            g.Output("max", Ops.Max(Ops.Expand(x, new Shape(2, 5, 3, 2, 4)), [0, 2, 4], keepDims: true));
            // Broadcast patterns alternating 5 times: the broadcast operands are expanded first.
            var z = g.Input("z", new Shape(5, 1, 2, 1));
            g.Output("wide", x * z - z);
            g.Output("gt", Ops.Greater(z, x));
            return g;
        }, seed: 32);
    }
}
