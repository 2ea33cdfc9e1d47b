using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Tests.DirectML.Reference;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The rank policy: tensors of rank 5 and 6 (patchify permutes, broadcast adds, slices and their
/// gradients) lowered as ≤ 4-D DirectML tensors by merging dimensions, a permute that cannot merge
/// that far as a chain of block moves; run by the reference interpreter, compared with Backend.Torch.
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
    public void Every_tensor_description_of_a_rank_6_graph_has_4_dimensions()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Patchify(3), operators.Create);
        for (var i = 0; i < built.Desc->NodeCount; i++)
        {
            var identity = (DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)built.OperatorDesc(i)->Desc;
            ((DML_BUFFER_TENSOR_DESC*)identity->InputTensor->Desc)->DimensionCount.ShouldBe(4u);
            ((DML_BUFFER_TENSOR_DESC*)identity->OutputTensor->Desc)->DimensionCount.ShouldBe(4u);
        }
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
}
