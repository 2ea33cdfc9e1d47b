using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The backward ops DirectML has no operator for (GELU, softmax, log-softmax, layer and batch norm
/// gradients) lower as their decomposition: on the reference interpreter they equal Backend.Torch,
/// and they use only the operators their DmlLoweringTable rule names. From feature level 4_1 the batch-norm
/// gradient is DirectML's own training-gradient operator.
/// </summary>
public class DmlGraphBuilderDecompositionTests
{
    public static readonly TheoryData<string> Names = ["gelu_grad", "softmax_grad", "log_softmax_grad", "softmax_grad_rank5", "layer_norm_grad", "batch_norm_grad"];

    static Graph Build(string name)
    {
        var g = new Graph(name);
        var x = g.Input("x", new Shape(4, 3, 2, 5));
        var dy = g.Input("dy", x.Shape);
        switch (name)
        {
            case "gelu_grad":
                g.Output("dx", Ops.GeluGrad(dy, x));
                break;
            case "softmax_grad":
                g.Output("dx", Ops.SoftmaxGrad(dy, Ops.Softmax(x)));
                break;
            case "log_softmax_grad":
                g.Output("dx", Ops.LogSoftmaxGrad(dy, Ops.LogSoftmax(x)));
                break;
            case "softmax_grad_rank5":
                {
                    // Rank 5, not over the last axis: the decomposition's reductions are merged to 4-D.
                    var y = Ops.Reshape(Ops.Softmax(x), 2, 2, 3, 2, 5);
                    g.Output("dx", Ops.SoftmaxGrad(Ops.Reshape(dy, y.Shape), y, 2));
                    break;
                }
            case "layer_norm_grad":
                {
                    var (w, b) = (g.Parameter("w", new Shape(5)), g.Parameter("b", new Shape(5)));
                    var o = g.Apply(new LayerNormOp(1e-5), x, w, b);
                    var (dx, dw, db) = Ops.LayerNormGrad(dy, x, w, o[1], o[2]);
                    g.Output("dx", dx);
                    g.Output("dw", dw);
                    g.Output("db", db);
                    break;
                }
            default:
                {
                    var (w, b) = (g.Parameter("w", new Shape(3)), g.Parameter("b", new Shape(3)));
                    var (_, mean, variance) = Ops.BatchNorm(x, w, b);
                    var (dx, dw, db) = Ops.BatchNormGrad(dy, x, w, mean, variance);
                    g.Output("dx", dx);
                    g.Output("dw", dw);
                    g.Output("db", db);
                    break;
                }
        }
        return g;
    }

    static Type OpOf(string name) => name switch
    {
        "gelu_grad" => typeof(GeluGradOp),
        "softmax_grad" or "softmax_grad_rank5" => typeof(SoftmaxGradOp),
        "log_softmax_grad" => typeof(LogSoftmaxGradOp),
        "layer_norm_grad" => typeof(LayerNormGradOp),
        _ => typeof(BatchNormGradOp),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public unsafe void A_backward_op_lowers_as_its_decomposition_and_matches_Torch(string name)
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(name), operators.Create);
        var own = Enumerable.Range(0, (int)built.Desc->NodeCount).Where(i => built.Nodes[i].Op.GetType() == OpOf(name))
            .Select(i => built.OperatorDesc(i)->Type).Distinct().ToArray();
        own.ShouldNotBeEmpty();
        own.ShouldBeSubsetOf(DmlLoweringTable.ByOp[OpOf(name)].Plan.Operators, $"{name} uses operators its rule does not name");

        GraphCheck.MatchesTorch(() => Build(name), seed: 5, rtol: 1e-4, atol: 1e-5);
    }

    [Fact]
    public void Batch_norm_grad_is_one_training_gradient_operator_from_4_1()
    {
        var types = GraphCheck.MatchesTorch(() => Build("batch_norm_grad"), seed: 6, rtol: 1e-4, atol: 1e-5, featureLevel: DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_4_1);
        types.Count(t => t == DML_OPERATOR_TYPE.DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD).ShouldBe(1);
        GraphCheck.MatchesTorch(() => Build("batch_norm_grad"), seed: 6, rtol: 1e-4, atol: 1e-5, featureLevel: DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_4_0)
            .ShouldNotContain(DML_OPERATOR_TYPE.DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD);
    }

    [Fact]
    public unsafe void Outputs_nothing_reads_are_not_computed()
    {
        static Graph OnlyDx(bool all)
        {
            var g = new Graph("ln_dx");
            var x = g.Input("x", new Shape(6, 8));
            var (w, b) = (g.Parameter("w", new Shape(8)), g.Parameter("b", new Shape(8)));
            var o = g.Apply(new LayerNormOp(1e-5), x, w, b);
            var (dx, dw, db) = Ops.LayerNormGrad(g.Input("dy", x.Shape), x, w, o[1], o[2]);
            g.Output("dx", dx);
            if (all) g.Output("dwdb", dw + db);
            return g;
        }
        int Count(bool all)
        {
            using var operators = new ReferenceOperators();
            using var built = DmlGraphBuilder.Build(OnlyDx(all), operators.Create);
            return Enumerable.Range(0, (int)built.Desc->NodeCount).Count(i => built.Nodes[i].Op is LayerNormGradOp);
        }
        Count(all: false).ShouldBeLessThan(Count(all: true) - 1);
        GraphCheck.MatchesTorch(() => OnlyDx(false), seed: 3);
    }
}
