using Dsl.Tests.Generator.Models;

namespace Dsl.Tests.Generator;

/// <summary>Two BatchNorms, one inside a list, to see the whole-model switch reach them all.</summary>
[Model]
public partial class NormStack
{
    [Module] readonly BatchNorm1d first;
    [Module] readonly List<BatchNorm1d> rest;

    public NormStack(int dim) { first = new BatchNorm1d(dim); rest = [new BatchNorm1d(dim)]; }

    [Forward]
    public Tensor Forward(Tensor x)
    {
        x = first.Forward(x);
        foreach (var norm in rest) x = norm.Forward(x);
        return x;
    }
}

/// <summary>
/// Generated models with one Tensor in and one out implement <see cref="IModule"/> (typed Forward
/// with a tape, Backward), and every model gets the recursive train/eval switch SetTraining.
/// </summary>
public class TypedModuleTests
{
    [Fact]
    public void Single_input_single_output_models_are_modules_and_others_are_not()
    {
        typeof(IModule).IsAssignableFrom(typeof(Mlp)).ShouldBeTrue();
        typeof(IModule).IsAssignableFrom(typeof(BlockStack)).ShouldBeTrue();
        typeof(IModule).IsAssignableFrom(typeof(TwoHeads)).ShouldBeFalse("two outputs");
        typeof(IModule).IsAssignableFrom(typeof(SharedEncoder)).ShouldBeFalse("two inputs");
        typeof(ITape).IsAssignableFrom(typeof(Mlp.Tape)).ShouldBeTrue();
    }

    [Fact]
    public void The_interface_runs_the_generated_forward_and_backward()
    {
        var graph = new Graph("module");
        IModule model = ModelContext.Build(graph, () => new Mlp(3, 4));
        var x = graph.Input("x", new Shape(2, 3));
        var y = model.Forward(x, out var tape);
        y.Shape.ShouldBe(new Shape(2, 3));
        var grads = new Dsl.Gradients();
        var dx = model.Backward(tape, Ops.OnesLike(y), grads);
        dx!.Shape.ShouldBe(x.Shape);
        grads[graph["fc1.weight"]].Shape.ShouldBe(new Shape(4, 3));
    }

    [Fact]
    public void A_tape_from_another_model_is_refused_by_name()
    {
        var graph = new Graph("module");
        IModule mlp = ModelContext.Build(graph, () => new Mlp(3, 4));
        IModule norm = ModelContext.Build(graph, () => new LayerNorm(3));
        var x = graph.Input("x", new Shape(2, 3));
        norm.Forward(x, out var normTape);
        Should.Throw<ArgumentException>(() => mlp.Backward(normTape, Ops.OnesLike(x), new Dsl.Gradients()))
            .Message.ShouldContain("Forward's tape must come from this model's Forward, got Dsl.Tests.Generator.Models.LayerNorm+Tape");
    }

    [Fact]
    public void SetTraining_reaches_every_submodule_including_lists()
    {
        var training = new Graph("train");
        var model = ModelContext.Build(training, () => new NormStack(3));
        model.Forward(training.Input("x", new Shape(4, 3)));
        training.Updates.Count.ShouldBe(4, "two BatchNorms in training mode update two running statistics each");

        var eval = new Graph("eval");
        var evalModel = ModelContext.Build(eval, () =>
        {
            var m = new NormStack(3);
            m.SetTraining(false);
            return m;
        });
        evalModel.Forward(eval.Input("x", new Shape(4, 3)));
        eval.Updates.ShouldBeEmpty();
    }
}
