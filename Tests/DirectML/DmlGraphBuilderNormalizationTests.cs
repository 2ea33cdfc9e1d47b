using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>
/// LayerNorm, BatchNorm and GELU lowered as small DirectML operator graphs (MVN1, REDUCE,
/// BATCH_NORMALIZATION, ERF…), forward and through autodiff, run by the reference interpreter
/// and compared with Backend.Torch.
/// </summary>
public class DmlGraphBuilderNormalizationTests
{
    static Graph LayerNorm(bool backward)
    {
        var g = new Graph("layer_norm");
        var x = g.Input("x", new Shape(2, 3, 8));
        var w = g.Input("w", new Shape(8));
        var b = g.Input("b", new Shape(8));
        var y = Ops.LayerNorm(x, w, b, 1e-5);
        g.Output("y", y);
        if (backward)
        {
            var dy = g.Input("dy", new Shape(2, 3, 8));
            var grads = Autodiff.Gradients(y, [x, w, b], seed: dy);
            g.Output("dx", grads[0]);
            g.Output("dw", grads[1]);
            g.Output("db", grads[2]);
        }
        return g;
    }

    [Fact]
    public void LayerNorm_forward_is_one_MVN_when_nothing_reads_the_statistics()
    {
        var types = GraphCheck.MatchesTorch(() => LayerNorm(false), seed: 1);
        types.ShouldBe([DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1]);
    }

    [Fact]
    public void LayerNorm_backward_through_the_native_graph_matches_Torch()
    {
        var types = GraphCheck.MatchesTorch(() => LayerNorm(true), seed: 2);
        types.ShouldContain(DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1);
        types.Count(t => t == DML_OPERATOR_REDUCE).ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public void LayerNorm_statistics_as_outputs_match_Torch()
    {
        GraphCheck.MatchesTorch(() =>
        {
            var g = new Graph("layer_norm_stats");
            var x = g.Input("x", new Shape(5, 6));
            var o = g.Apply(new LayerNormOp(1e-3), x, g.Input("w", new Shape(6)), g.Input("b", new Shape(6)));
            g.Output("y", o[0]);
            g.Output("mean", o[1]);
            g.Output("rstd", o[2]);
            return g;
        }, seed: 3);
    }

    static Graph BatchNorm(Shape shape)
    {
        var g = new Graph("batch_norm");
        var x = g.Input("x", shape);
        var w = g.Input("w", new Shape(shape[1]));
        var b = g.Input("b", new Shape(shape[1]));
        var (y, mean, variance) = Ops.BatchNorm(x, w, b, 1e-5);
        g.Output("y", y);
        g.Output("mean", mean);
        g.Output("var", variance);
        var dy = g.Input("dy", shape);
        var grads = Autodiff.Gradients(y, [x, w, b], seed: dy);
        g.Output("dx", grads[0]);
        g.Output("dw", grads[1]);
        g.Output("db", grads[2]);
        return g;
    }

    [Theory]
    [InlineData(new[] { 6, 4 })]
    [InlineData(new[] { 3, 2, 5 })]
    [InlineData(new[] { 2, 3, 4, 5 })]
    [InlineData(new[] { 2, 8, 1, 1 })]
    [InlineData(new[] { 2, 8 })]
    [InlineData(new[] { 2, 4, 2, 2 })]
    public void BatchNorm_forward_and_backward_match_Torch(int[] dims)
    {
        var types = GraphCheck.MatchesTorch(() => BatchNorm(new Shape(dims)), seed: dims.Length);
        types.ShouldContain(DML_OPERATOR_BATCH_NORMALIZATION);
    }

    static Graph Gelu()
    {
        var g = new Graph("gelu");
        var x = g.Input("x", new Shape(2, 3, 7));
        var y = Ops.Gelu(x);
        g.Output("y", y);
        g.Output("dx", Autodiff.Gradients(y, [x], seed: g.Input("dy", new Shape(2, 3, 7)))[0]);
        return g;
    }

    [Fact]
    public void Gelu_forward_and_backward_match_Torch()
    {
        var types = GraphCheck.MatchesTorch(Gelu, seed: 5);
        types[..3].ShouldBe([DML_OPERATOR_ELEMENT_WISE_ERF, DML_OPERATOR_ELEMENT_WISE_IDENTITY, DML_OPERATOR_ELEMENT_WISE_MULTIPLY]);
        types.ShouldNotContain(DML_OPERATOR_ACTIVATION_GELU);
    }

    [Fact]
    public void Gelu_is_one_ACTIVATION_GELU_from_feature_level_5_1()
    {
        var types = GraphCheck.MatchesTorch(Gelu, seed: 6, featureLevel: DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_5_1);
        types[0].ShouldBe(DML_OPERATOR_ACTIVATION_GELU);
        types.Count(t => t == DML_OPERATOR_ELEMENT_WISE_ERF).ShouldBe(1); // the backward's own erf
    }
}
