using System.Globalization;

namespace Dsl;

/// <summary>
/// The graph that model constructors declare their parameters in. Models are built per graph:
/// <c>var model = ModelContext.Build(graph, () =&gt; new Mlp(784, 256));</c> declares every parameter
/// and buffer and gives them their dotted PyTorch names.
/// </summary>
public static class ModelContext
{
    [ThreadStatic] static Graph? current;
    [ThreadStatic] static int provisional;
    [ThreadStatic] static DType dtype;

    /// <summary>The graph being built into, or an error explaining how to get one.</summary>
    public static Graph Current => current ?? throw new InvalidOperationException(
        "A model parameter was declared outside a graph: construct models with ModelContext.Build(graph, () => new MyModel(...)).");

    /// <summary>
    /// Constructs a model (parameters of <paramref name="parameterType"/>: f32 to train, f64 for gradient checks) with <paramref name="graph"/> as the current graph, then names its
    /// parameters, buffers and submodules (dotted, in declaration order).
    /// </summary>
    public static T Build<T>(Graph graph, Func<T> construct, string prefix = "", DType parameterType = DType.Float32) where T : IModel =>
        Build(graph, construct, out _, prefix, parameterType);

    /// <summary>As <see cref="Build{T}(Graph, Func{T}, string, DType)"/>, also returning the registry (names, inits).</summary>
    public static T Build<T>(Graph graph, Func<T> construct, out Registry registry, string prefix = "", DType parameterType = DType.Float32) where T : IModel
    {
        var (outer, outerType) = (current, dtype);
        (current, dtype) = (graph, parameterType);
        int firstProvisional = provisional;
        try
        {
            var model = construct();
            registry = new Registry(graph, prefix);
            model.Register(registry);
            Registry.RecordRoot(model, prefix);
            ThrowIfUnregistered(graph, firstProvisional, typeof(T).Name);
            return model;
        }
        finally
        {
            (current, dtype) = (outer, outerType);
        }
    }

    /// <summary>
    /// A value declared with <c>Param</c>/<c>BufferOf</c> while this model was built that no
    /// <c>Register</c> named (a field without [Parameter]/[Buffer], a model field without [Module])
    /// would never be initialised or trained: an error listing them.
    /// </summary>
    static void ThrowIfUnregistered(Graph graph, int firstProvisional, string model)
    {
        var unnamed = graph.Persistent
            .Where(v => v.Name is { } n && n.StartsWith(UnnamedPrefix, StringComparison.Ordinal)
                && int.Parse(n.AsSpan(n.LastIndexOf('_') + 1), CultureInfo.InvariantCulture) >= firstProvisional)
            .ToList();
        if (unnamed.Count == 0) return;
        throw new InvalidOperationException(
            $"Building {model} declared {unnamed.Count} value(s) that no module registered: " +
            string.Join(", ", unnamed.Select(v => $"{v.Kind.ToString().ToLowerInvariant()} {v.Type}")) +
            ". They would never be initialised or trained. Mark each field that holds a Param(...) with [Parameter], " +
            "each BufferOf(...) with [Buffer], and each field holding a [Model] (or an array/List of them) with [Module].");
    }

    const string UnnamedPrefix = "__unnamed_";

    /// <summary>Declares a parameter with a provisional name; <see cref="Registry"/> renames it.</summary>
    public static Tensor Parameter(params int[] shape) =>
        Current.Parameter($"{UnnamedPrefix}parameter_{provisional++}", new Shape(shape), dtype);

    /// <summary>Declares a buffer with a provisional name; <see cref="Registry"/> renames it.</summary>
    public static Tensor Buffer(params int[] shape) =>
        Current.Buffer($"{UnnamedPrefix}buffer_{provisional++}", new Shape(shape), dtype);
}

/// <summary>Implemented by generated code for every [Model] class.</summary>
public interface IModel
{
    /// <summary>Names this model's parameters, buffers and submodules under the registry's prefix.</summary>
    void Register(Registry registry);

    /// <summary>
    /// Training (true) or evaluation mode for this model and every submodule, as PyTorch's
    /// <c>train()</c>/<c>eval()</c>: sets each model's <c>Training</c> property where it has one
    /// (BatchNorm: batch statistics vs running statistics). Read when the graph is built.
    /// </summary>
    void SetTraining(bool training);
}

/// <summary>A named persistent value of a model and how to initialise it.</summary>
public sealed record NamedValue(string Name, Tensor Value, Init Init);
