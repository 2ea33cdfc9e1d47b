using Dsl.Tests.Generator.Models;

namespace Dsl.Tests.Generator;

/// <summary>A stack whose blocks may disagree on their width (to provoke a shape error in one of them).</summary>
[Model]
public partial class WidthStack
{
    [Module] readonly List<Mlp> blocks;

    public WidthStack(params int[] widths) => blocks = widths.Select(w => new Mlp(w, 2 * w)).ToList();

    [Forward]
    public Tensor Forward(Tensor x)
    {
        foreach (var block in blocks) x = block.Forward(x);
        return x;
    }
}

/// <summary>A model whose parameters sit in an array the generator cannot see as fields: never registered.</summary>
[Model]
public partial class HiddenParameters
{
    readonly Tensor[] scales;
    readonly Tensor first;

    public HiddenParameters(int n)
    {
        scales = new Tensor[n];
        for (int i = 0; i < n; i++) scales[i] = Param(3);
        first = scales[0];
    }

    [Forward]
    public Tensor Forward(Tensor x) => x * first;
}

/// <summary>
/// Generated Forward and Backward code open a name scope per submodule call (the registered dotted name), and
/// ModelContext.Build refuses parameters no module registered.
/// </summary>
public class RegistrationAndScopeTests
{
    [Fact]
    public void Nodes_of_a_submodule_carry_its_registered_dotted_name()
    {
        var graph = new Graph("scopes");
        var model = ModelContext.Build(graph, () => new WidthStack(4, 4));
        model.Forward(graph.Input("x", new Shape(2, 4)), out _);
        var scopes = graph.Nodes.Select(n => n.Scope).Distinct().ToArray();
        scopes.ShouldBe(["blocks.0.fc1", "blocks.0", "blocks.0.fc2", "blocks.1.fc1", "blocks.1", "blocks.1.fc2"], ignoreOrder: true);
    }

    [Fact]
    public void A_shape_error_names_the_layer_it_happened_in()
    {
        var graph = new Graph("scopes");
        var model = ModelContext.Build(graph, () => new WidthStack(4, 4, 5));
        var e = Should.Throw<ShapeException>(() => model.Forward(graph.Input("x", new Shape(2, 4)), out _));
        e.Message.ShouldContain("blocks.2.fc1, op matmul");
        e.Message.ShouldContain("f32[2,4]");
    }

    [Fact]
    public void Backward_nodes_of_a_submodule_carry_its_registered_dotted_name_too()
    {
        var graph = new Graph("scopes");
        var model = ModelContext.Build(graph, () => new WidthStack(4, 4));
        var y = model.Forward(graph.Input("x", new Shape(2, 4)), out var tape);
        int forwardNodes = graph.Nodes.Count;
        model.Backward(tape, graph.Input("dy", y.Shape), new Dsl.Gradients());
        var scopes = graph.Nodes.Skip(forwardNodes).Select(n => n.Scope).Distinct().ToArray();
        // Autodiff marks the nodes a VJP rule appends with ".grad" under the module's scope.
        scopes.ShouldBe(["blocks.1.fc2.grad", "blocks.1.grad", "blocks.1.fc1.grad", "blocks.0.fc2.grad", "blocks.0.grad", "blocks.0.fc1.grad"], ignoreOrder: true);
    }

    [Fact]
    public void A_shape_error_in_backward_names_the_layer_it_happened_in()
    {
        var graph = new Graph("scopes");
        var model = ModelContext.Build(graph, () => new WidthStack(4, 4));
        var y = model.Forward(graph.Input("x", new Shape(2, 4)), out var tape);
        var e = Should.Throw<ShapeException>(() => model.Backward(tape, graph.Input("dy", new Shape(2, 5)), new Dsl.Gradients()));
        e.Message.ShouldStartWith("Shape error in blocks.1.fc2: the gradient seed f32[2,5] must match the output f32[2,4]");
    }

    [Fact]
    public void Scopes_are_relative_to_a_registry_prefix_and_to_the_callers_scope()
    {
        var graph = new Graph("scopes");
        var model = ModelContext.Build(graph, () => new WidthStack(4), "encoder");
        using (graph.Scope("encoder")) model.Forward(graph.Input("x", new Shape(2, 4)), out _);
        graph.Nodes.Select(n => n.Scope).Distinct().ShouldBe(["encoder.blocks.0.fc1", "encoder.blocks.0", "encoder.blocks.0.fc2"], ignoreOrder: true);
    }

    [Fact]
    public void Parameters_no_module_registered_are_an_error_listing_them()
    {
        var graph = new Graph("unregistered");
        var e = Should.Throw<InvalidOperationException>(() => ModelContext.Build(graph, () => new HiddenParameters(2)));
        e.Message.ShouldContain("HiddenParameters declared 2 value(s) that no module registered: parameter f32[3], parameter f32[3]");
        e.Message.ShouldContain("[Parameter]");
        e.Message.ShouldContain("[Module]");
    }

    [Fact]
    public void A_model_built_after_a_failed_one_is_not_blamed_for_its_parameters()
    {
        var graph = new Graph("unregistered");
        Should.Throw<InvalidOperationException>(() => ModelContext.Build(graph, () => new HiddenParameters(1)));
        Should.NotThrow(() => ModelContext.Build(graph, () => new Mlp(3, 4)));
    }
}
