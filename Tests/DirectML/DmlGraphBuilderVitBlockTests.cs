using Dsl.Models.Blocks;
using Dsl.Tests.DirectML.Reference;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>
/// A tiny timm ViT block (pre-norm attention and MLP: layer_norm, rank-5 qkv permute, batched
/// matmul, softmax, GELU) lowered end to end, forward and backward (graph autodiff for the input
/// and every parameter), run by the reference interpreter and compared with Backend.Torch.
/// </summary>
public class DmlGraphBuilderVitBlockTests
{
    static Graph VitBlock()
    {
        var g = new Graph("vit_block");
        var block = ModelContext.Build(g, () => new Block(8, 2, mlpRatio: 2), out var registry);
        var x = g.Input("x", new Shape(2, 5, 8));
        var y = block.Forward(x);
        g.Output("y", y);
        var parameters = registry.Parameters;
        var grads = Autodiff.Gradients(y, [x, .. parameters.Select(p => p.Value)], seed: g.Input("dy", y.Shape));
        g.Output("dx", grads[0]);
        for (var p = 0; p < parameters.Count; p++)
            g.Output($"d_{parameters[p].Name}", grads[1 + p]);
        return g;
    }

    [Fact]
    public void Vit_block_forward_and_backward_through_the_native_graph_match_Torch()
    {
        var types = GraphCheck.MatchesTorch(VitBlock, seed: 40);
        types.ShouldContain(DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1);
        types.ShouldContain(DML_OPERATOR_ELEMENT_WISE_ERF);
        types.ShouldContain(DML_OPERATOR_GEMM);
        types.ShouldContain(DML_OPERATOR_ACTIVATION_SOFTMAX);
    }
}
