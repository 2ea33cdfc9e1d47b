using Dsl.Backend.DirectML.Lowering;
using Dsl.Models.Methods;
using Dsl.Models.Training;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The whole MAE training step (forward, loss with patchify, generated backward) of a tiny
/// configuration: every float32 node whose op the builder lowers gets through the rank policy
/// and its lowering; what is left is among the ops other slices own (random, argsort, conv,
/// scatter-add) and the int64 index arithmetic of the masking.
/// </summary>
public class DmlGraphBuilderMaeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Every_float32_node_of_a_lowered_op_in_the_MAE_training_step_lowers(int channels)
    {
        var g = new Dsl.Graph("mae");
        g.Input(Trainer.SeedInput, new Shape(2), DType.Int64);
        var task = new MaeTask(new MaeConfig(8, 4, channels, 16, 2, 2, 8, 1, 2, MlpRatio: 2.0, NormPixLoss: true));
        var step = task.Build(g, 2);
        g.Output("loss", step.Loss);
        for (var i = 0; i < step.Gradients.Count; i++)
            g.Output($"grad{i}", step.Gradients[i]);

        var lowered = g.Nodes.Where(n => DmlGraphBuilder.LoweredOps.Contains(n.Op.GetType()) && n.Inputs.Concat(n.Outputs).All(v => v.DType == DType.Float32)).ToArray();
        var dmlNodes = lowered.Sum(DmlGraphBuilder.LowerAlone);
        dmlNodes.ShouldBeGreaterThan(lowered.Length / 2);
        lowered.ShouldContain(n => n.Op is PermuteOp && n.Inputs[0].Rank == 6);
        lowered.ShouldContain(n => n.Op is MatMulOp && n.Inputs[0].Rank == 4);
        lowered.ShouldContain(n => n.Op is LayerNormOp);

        var rest = g.Nodes.Except(lowered).Select(n => n.Op.GetType()).Where(t => !DmlGraphBuilder.LoweredOps.Contains(t)).Distinct().Select(t => t.Name).Order();
        // A subset: the other slices shrink it as they land.
        rest.ShouldBeSubsetOf(["ArgsortOp", "Conv2dInputGradOp", "Conv2dOp", "Conv2dWeightGradOp", "RandomUniformOp", "ScatterAddOp"]);
    }
}
