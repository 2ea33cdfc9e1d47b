using Dsl.Execution;
using Dsl.Tests.Support;

namespace Dsl.Tests.Gradients;

/// <summary>An input of a gradient case: name, type and how to make its data.</summary>
public sealed record InputSpec(string Name, Shape Shape, DType DType, Func<int, HostTensor> Make)
{
    /// <summary>f64 input, uniform in [lo, hi).</summary>
    public static InputSpec F(string name, Shape shape, double lo = -1, double hi = 1) =>
        new(name, shape, DType.Float64, seed => TestData.Uniform(shape, seed, lo, hi));

    /// <summary>i64 input, uniform integers in [0, max).</summary>
    public static InputSpec I(string name, Shape shape, int max) =>
        new(name, shape, DType.Int64, seed => TestData.Ints(shape, seed, max));

    /// <summary>An input with fixed data.</summary>
    public static InputSpec Fixed(string name, HostTensor value) => new(name, value.Shape, value.DType, _ => value);
}

/// <summary>
/// One function to differentiate: its graph is y = Body(inputs), loss = Σ y·cotangent, and the
/// gradients of every float input come from <see cref="Autodiff"/>.
/// </summary>
public sealed record GradientCase(string Name, InputSpec[] Inputs, Func<Tensor[], Tensor> Body)
{
    /// <summary>Builds the graph: forward, loss and (unless <paramref name="lossOnly"/>) the backward pass.</summary>
    public BuiltCase Build(bool lossOnly = false)
    {
        var g = new Graph(Name);
        var xs = Inputs.Select(s => g.Input(s.Name, s.Shape, s.DType)).ToArray();
        var y = Body(xs);
        var cot = g.Input("cotangent", y.Shape, y.DType);
        var loss = Ops.Sum(y * cot);
        var wrt = xs.Where(x => x.DType.IsFloat()).ToArray();
        g.Output("loss", loss);
        if (lossOnly) return new BuiltCase(this, g, y, wrt);
        var grads = Autodiff.Gradients(loss, wrt);
        g.Output("y", y);
        for (int i = 0; i < wrt.Length; i++) g.Output("d_" + wrt[i].Name, grads[i]);
        return new BuiltCase(this, g, y, wrt);
    }

    /// <summary>Data for every input (and the cotangent) from a seed.</summary>
    public Dictionary<string, HostTensor> Feeds(BuiltCase built, int seed)
    {
        var feeds = Inputs.Select((s, i) => (s.Name, s.Make(seed + i))).ToDictionary(p => p.Name, p => p.Item2);
        feeds["cotangent"] = TestData.Uniform(built.Output.Shape, seed + 1000, dtype: built.Output.DType);
        return feeds;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A case's graph and the values the checks need.</summary>
public sealed record BuiltCase(GradientCase Case, Graph Graph, Tensor Output, Tensor[] Wrt);
