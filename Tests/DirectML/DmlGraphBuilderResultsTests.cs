using Dsl.Backend.DirectML.Lowering;
using Dsl.Execution;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Graph-level features of the builder the runtime relies on: updates become extra graph outputs
/// after the Dsl outputs, constants become graph inputs with their data, and results no node
/// computes are copies of a graph value.
/// </summary>
public unsafe class DmlGraphBuilderResultsTests
{
    [Fact]
    public void Each_update_value_is_a_graph_output_after_the_Dsl_outputs()
    {
        var g = new Graph("updates");
        var x = g.Input("x", new Shape(2, 3));
        var w = g.Parameter("w", new Shape(2, 3));
        var count = g.State("count", new Shape(2, 3));
        g.Output("y", Ops.Exp(x) * w);
        g.Update(w, w - x);
        g.Update(count, x);                                 // a graph input: copied, no node
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);

        built.Results.Count.ShouldBe(3);
        built.Results[0].OutputName.ShouldBe("y");
        built.Results[0].GraphOutputIndex.ShouldBe(0);
        built.Results[1].UpdateTarget.ShouldBe(w);
        built.Results[1].GraphOutputIndex.ShouldBe(1);
        built.Results[2].UpdateTarget.ShouldBe(count);
        built.Results[2].CopyOf.ShouldBe(x);
        built.Desc->OutputCount.ShouldBe(2u);

        float[] xs = [1, 2, 3, 4, 5, 6], ws = [6, 5, 4, 3, 2, 1];
        var feeds = built.Inputs.Select(v => v == x ? xs : ws).ToArray();
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, feeds);
        outputs[1].ShouldBe([5f, 3, 1, -1, -3, -5]);
        outputs[0][0].ShouldBe(MathF.Exp(1) * 6, 1e-4);
    }

    [Fact]
    public void A_constant_is_a_graph_input_with_its_data()
    {
        var g = new Graph("constant");
        var x = g.Input("x", new Shape(3));
        var c = Ops.Constant(g, HostTensor.F32(new Shape(3), [10, 20, 30]));
        g.Output("y", x + c);
        g.Output("c", c);                                   // a constant output: a copy
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);

        built.Inputs.Count.ShouldBe(2);
        built.Constants.ShouldHaveSingleItem().Key.ShouldBe(c);
        built.Constants[c].Data.ShouldBe(new float[] { 10, 20, 30 });
        built.Results[1].CopyOf.ShouldBe(c);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => v == x ? new float[] { 1, 2, 3 } : (float[])built.Constants[v].Data).ToArray());
        outputs.ShouldHaveSingleItem().ShouldBe([11f, 22, 33]);
    }
}
