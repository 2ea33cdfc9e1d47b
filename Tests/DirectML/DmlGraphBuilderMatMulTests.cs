using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Batched MatMul as one 4-D GEMM (batch dimensions leading, broadcast ones read with zero
/// strides, transposes as flags): attention-shaped products and their gradients, run by the
/// reference interpreter and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderMatMulTests
{
    [Fact]
    public void Attention_scores_softmax_and_values_with_gradients_match_Torch()
    {
        GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("attention");
            var q = g.Input("q", new Shape(2, 3, 5, 4));
            var k = g.Input("k", new Shape(2, 3, 5, 4));
            var v = g.Input("v", new Shape(2, 3, 5, 4));
            var scores = Ops.MatMul(q, k, transposeB: true) * 0.5;   // [B,H,T,T]
            var attention = Ops.Softmax(scores, -1);
            var o = Ops.MatMul(attention, v);                          // [B,H,T,d]
            g.Output("o", o);
            var grads = Autodiff.Gradients(o, [q, k, v], seed: g.Input("do", new Shape(2, 3, 5, 4)));
            g.Output("dq", grads[0]);
            g.Output("dk", grads[1]);
            g.Output("dv", grads[2]);
            return g;
        }, seed: 11);
    }

    [Fact]
    public void Tokens_times_a_weight_and_its_gradients_match_Torch()
    {
        GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("linear");
            var x = g.Input("x", new Shape(2, 5, 6));
            var w = g.Input("w", new Shape(6, 3));
            var wt = g.Input("wt", new Shape(4, 6));
            var y = Ops.MatMul(x, w);                                  // [B,T,D] @ [D,E]
            var z = Ops.Linear(x, wt);                                 // [B,T,D] @ [E,D]ᵀ
            g.Output("y", y);
            g.Output("z", z);
            var dy = g.Input("dy", new Shape(2, 5, 3));
            var grads = Autodiff.Gradients(y, [x, w], seed: dy);
            g.Output("dx", grads[0]);
            g.Output("dw", grads[1]);
            g.Output("ta", Ops.MatMul(g.Input("a", new Shape(3, 6, 2)), g.Input("b", new Shape(6, 4)), transposeA: true));
            g.Output("bb", Ops.MatMul(g.Input("m", new Shape(4, 6)), g.Input("n", new Shape(2, 3, 6, 5))));
            return g;
        }, seed: 12);
    }

    [Fact]
    public void A_broadcast_batch_is_a_zero_stride_and_a_plain_right_side_folds_the_batch_into_rows()
    {
        var g = new Graph("gemm");
        g.Output("bcast", Ops.MatMul(g.Input("a", new Shape(2, 1, 3, 4)), g.Input("b", new Shape(5, 4, 6))));
        g.Output("fold", Ops.MatMul(g.Input("x", new Shape(2, 5, 6)), g.Input("w", new Shape(6, 3))));
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);

        var bcast = (DML_GEMM_OPERATOR_DESC*)built.OperatorDesc(0)->Desc;
        var a = (DML_BUFFER_TENSOR_DESC*)bcast->ATensor->Desc;
        new ReadOnlySpan<uint>(a->Sizes, 4).ToArray().ShouldBe([2u, 5u, 3u, 4u]);
        new ReadOnlySpan<uint>(a->Strides, 4).ToArray().ShouldBe([12u, 0u, 4u, 1u]);
        var b = (DML_BUFFER_TENSOR_DESC*)bcast->BTensor->Desc;
        new ReadOnlySpan<uint>(b->Strides, 4).ToArray().ShouldBe([0u, 24u, 6u, 1u]);
        b->TotalTensorSizeInBytes.ShouldBe(5ul * 4 * 6 * 4);

        var fold = (DML_GEMM_OPERATOR_DESC*)built.OperatorDesc(1)->Desc;
        var x = (DML_BUFFER_TENSOR_DESC*)fold->ATensor->Desc;
        new ReadOnlySpan<uint>(x->Sizes, 4).ToArray().ShouldBe([1u, 1u, 10u, 6u]);
        (x->Strides == null).ShouldBeTrue();
    }
}
