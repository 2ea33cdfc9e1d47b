using Dsl.Models.Training;
using Xunit.Abstractions;

namespace Dsl.Tests.Training;

/// <summary>
/// An optimizer step's arithmetic does not grow with the number of parameters: only layout nodes
/// do (per parameter at most a reshape of its gradient and of itself into the flat vector, and a
/// slice + reshape back out of it). Before the flat pack AdamW took ~18 nodes per parameter.
/// </summary>
public class OptimizerGraphSizeTests(ITestOutputHelper log)
{
    static readonly string[] LayoutOps = ["reshape", "slice", "concat"];

    public static TheoryData<string> Optimizers() => ["sgd", "adamw", "lars", "lamb"];

    static Optimizer Make(string name) => name switch
    {
        "sgd" => new Sgd(Momentum: 0.9, WeightDecay: 1e-4, Nesterov: true) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        "adamw" => new AdamW { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        "lars" => new Lars { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        "lamb" => new Lamb { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Only_layout_nodes_grow_with_the_number_of_parameters(string optimizer)
    {
        var (few, fewArithmetic) = OptimizerNodes(Make(optimizer), layers: 2);
        var (many, manyArithmetic) = OptimizerNodes(Make(optimizer), layers: 20);
        log.WriteLine($"{optimizer}: {few} nodes ({fewArithmetic} arithmetic) for 4 parameters, {many} ({manyArithmetic}) for 40");

        manyArithmetic.ShouldBe(fewArithmetic);
        many.ShouldBeLessThanOrEqualTo(few + 4 * (40 - 4));
    }

    /// <summary>Nodes under the optimizer's scope for a stack of Linear layers (a weight and a bias each): all, and those not layout.</summary>
    static (int All, int Arithmetic) OptimizerNodes(Optimizer optimizer, int layers)
    {
        var g = new Dsl.Graph("size");
        var x = g.Input("x", new Shape(2, 4));
        var lr = Optimizer.DeclareLearningRate(g);
        var parameters = new List<Tensor>();
        var h = x;
        for (int i = 0; i < layers; i++)
        {
            var w = g.Parameter($"layers.{i}.weight", new Shape(4, 4));
            var b = g.Parameter($"layers.{i}.bias", new Shape(4));
            parameters.AddRange([w, b]);
            h = Ops.Relu(Ops.Linear(h, w, b));
        }
        var loss = Ops.Mean(h * h);
        optimizer.AddUpdates(g, parameters, Autodiff.Gradients(loss, parameters), lr);
        var nodes = g.Nodes.Where(n => n.Scope.StartsWith(optimizer.StatePrefix, StringComparison.Ordinal)).ToArray();
        return (nodes.Length, nodes.Count(n => !LayoutOps.Contains(n.Op.Name)));
    }
}
