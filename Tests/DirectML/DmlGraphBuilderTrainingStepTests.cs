using Dsl.Backend.DirectML.Lowering;
using Dsl.Models.Methods;
using Dsl.Models.Training;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Whole training steps (forward, loss, generated backward) of tiny MAE and Barlow Twins
/// configurations: every float32 node whose op the builder lowers gets through the rank policy
/// and its lowering; what is left is among the ops other slices own (random, argsort, conv,
/// pooling, scatter-add, constants) and int64 index arithmetic.
/// </summary>
public class DmlGraphBuilderTrainingStepTests
{
    static readonly string[] OtherSlices = ["ArgsortOp", "AvgPool2dGradOp", "AvgPool2dOp", "ConstantOp", "Conv2dInputGradOp", "Conv2dOp", "Conv2dWeightGradOp", "IndexAddOp", "MaxPool2dOp", "RandomUniformOp", "ScatterAddOp"];

    /// <summary>Lowers each float32 node of a lowered op on its own; returns those nodes.</summary>
    static Node[] LowerEachNode(Dsl.Graph g)
    {
        var lowered = g.Nodes.Where(n => DmlGraphBuilder.LoweredOps.Contains(n.Op.GetType()) && n.Inputs.Concat(n.Outputs).All(v => v.DType == DType.Float32)).ToArray();
        lowered.Sum(DmlGraphBuilder.LowerAlone).ShouldBeGreaterThan(lowered.Length / 2);
        // A subset: the other slices shrink it as they land.
        g.Nodes.Select(n => n.Op.GetType()).Where(t => !DmlGraphBuilder.LoweredOps.Contains(t)).Select(t => t.Name).Distinct().ShouldBeSubsetOf(OtherSlices);
        return lowered;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Every_float32_node_of_a_lowered_op_in_the_MAE_training_step_lowers(int channels)
    {
        var g = new Dsl.Graph("mae");
        g.Input(Trainer.SeedInput, new Shape(2), DType.Int64);
        var step = new MaeTask(new MaeConfig(8, 4, channels, 16, 2, 2, 8, 1, 2, MlpRatio: 2.0, NormPixLoss: true)).Build(g, 2);
        g.Output("loss", step.Loss);
        for (var i = 0; i < step.Gradients.Count; i++)
            g.Output($"grad{i}", step.Gradients[i]);
        var lowered = LowerEachNode(g);
        lowered.ShouldContain(n => n.Op is PermuteOp && n.Inputs[0].Rank == 6);
        lowered.ShouldContain(n => n.Op is MatMulOp && n.Inputs[0].Rank == 4);
        lowered.ShouldContain(n => n.Op is LayerNormOp);
    }

    [Fact]
    public void Every_float32_node_of_a_lowered_op_in_the_Barlow_Twins_training_step_lowers()
    {
        var g = new Dsl.Graph("barlow");
        var step = new BarlowTwinsTask(Backbone.Conv(1, 8), 1, 12, 16).Build(g, 6);
        g.Output("loss", step.Loss);
        for (var i = 0; i < step.Gradients.Count; i++)
            g.Output($"grad{i}", step.Gradients[i]);
        var lowered = LowerEachNode(g);
        lowered.ShouldContain(n => n.Op is BatchNormOp && n.Inputs[0].Rank == 2);
    }
}
