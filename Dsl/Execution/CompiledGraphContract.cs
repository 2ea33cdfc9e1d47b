namespace Dsl.Execution;

/// <summary>
/// The argument checks every <see cref="ICompiledGraph"/> makes, with one wording across
/// backends: persistent values by name, host values against their declared type, inputs by name.
/// </summary>
public static class CompiledGraphContract
{
    /// <summary>The persistent value (parameter, buffer or state) named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The graph has no persistent value of that name.</exception>
    public static Tensor Persistent(Graph graph, string name)
    {
        var v = graph.Contains(name) ? graph[name] : null;
        if (v is null || !v.IsPersistent)
            throw new KeyNotFoundException($"Graph '{graph.Name}' has no parameter, buffer or state named '{name}'.");
        return v;
    }

    /// <summary>Checks that <paramref name="value"/> may be stored into the persistent <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">Shapes or dtypes differ.</exception>
    public static void CheckAssignable(Tensor target, HostTensor value)
    {
        if (value.Type != target.Type)
            throw new ArgumentException($"Cannot set '{target.Name}' ({target.Type}) from {value.Type}: shapes or dtypes differ.");
    }

    /// <summary>The host value fed for graph input <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The input is missing or has another shape or dtype.</exception>
    public static HostTensor Feed(Graph graph, Tensor input, IReadOnlyDictionary<string, HostTensor> feeds)
    {
        if (!feeds.TryGetValue(input.Name!, out var host))
            throw new ArgumentException($"Graph '{graph.Name}' needs input '{input.Name}' ({input.Type}); it was not given.");
        if (host.Type != input.Type)
            throw new ArgumentException($"Input '{input.Name}' must be {input.Type}, got {host.Type}.");
        return host;
    }
}
