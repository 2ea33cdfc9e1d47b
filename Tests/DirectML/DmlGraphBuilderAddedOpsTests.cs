using Dsl.Backend.DirectML.Interop;
using Dsl.Tests.DirectML.Reference;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The ops added for users (issue 12): each op and the gradients autodiff appends to it, built to a
/// native DML_GRAPH_DESC, run on the reference interpreter and compared with Backend.Torch, at a
/// rank the rank policy merges and at one it leaves as it is.
/// </summary>
public class DmlGraphBuilderAddedOpsTests
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
}
