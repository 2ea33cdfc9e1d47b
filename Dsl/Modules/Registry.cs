namespace Dsl;

/// <summary>
/// Collects a model tree's parameters, buffers and modules with dotted names
/// (<c>blocks.3.attn.qkv.weight</c>), renaming the graph values to match. Generated
/// <c>Register</c> methods call it in field declaration order.
/// </summary>
public sealed class Registry
{
    readonly Graph graph;
    readonly string prefix;
    readonly List<NamedValue> parameters;
    readonly List<NamedValue> buffers;
    readonly List<(string Name, IModel Module)> modules;
    readonly HashSet<IModel> visited;

    /// <summary>A root registry over a graph.</summary>
    public Registry(Graph graph, string prefix = "")
        : this(graph, prefix, [], [], [], new HashSet<IModel>(ReferenceEqualityComparer.Instance)) { }

    Registry(Graph graph, string prefix, List<NamedValue> p, List<NamedValue> b, List<(string, IModel)> m, HashSet<IModel> visited)
    {
        this.graph = graph;
        this.prefix = prefix;
        parameters = p;
        buffers = b;
        modules = m;
        this.visited = visited;
    }

    /// <summary>Parameters in registration order.</summary>
    public IReadOnlyList<NamedValue> Parameters => parameters;
    /// <summary>Buffers in registration order.</summary>
    public IReadOnlyList<NamedValue> Buffers => buffers;
    /// <summary>Submodules (all depths) in registration order.</summary>
    public IReadOnlyList<(string Name, IModel Module)> Modules => modules;

    string Full(string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Registers a parameter field; null means the optional parameter is absent (PyTorch's None).</summary>
    public void Parameter(string name, Tensor? value, Init init)
    {
        if (value is null || IsShared(value)) return;
        parameters.Add(new NamedValue(Full(name), Rename(value, Full(name), ValueKind.Parameter), init));
    }

    /// <summary>Registers a buffer field; null means the optional buffer is absent.</summary>
    public void Buffer(string name, Tensor? value, Init init)
    {
        if (value is null || IsShared(value)) return;
        buffers.Add(new NamedValue(Full(name), Rename(value, Full(name), ValueKind.Buffer), init));
    }

    /// <summary>
    /// Registers a submodule; null means the optional module is absent (e.g. a block without
    /// downsampling). A module registered twice (weight sharing) keeps its first name.
    /// </summary>
    public void Module(string name, IModel? module)
    {
        if (module is null || !visited.Add(module)) return;
        modules.Add((Full(name), module));
        Names.AddOrUpdate(module, Full(name));
        module.Register(new Registry(graph, Full(name), parameters, buffers, modules, visited));
    }

    /// <summary>Registers a list of submodules as name.0, name.1, … (PyTorch's ModuleList).</summary>
    public void ModuleList<T>(string name, IEnumerable<T>? list) where T : IModel
    {
        if (list is null) throw new InvalidOperationException($"Module list '{Full(name)}' is null: assign it in the constructor.");
        int i = 0;
        foreach (var m in list) Module($"{name}.{i++}", m);
    }

    // The dotted name each module instance was registered under (its first, if shared), for the
    // name scopes generated Forward code opens (ModuleScope). Weak: models live as long as their graph.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, string> Names = new();

    /// <summary>Records the name of a root model (its registry prefix).</summary>
    internal static void RecordRoot(IModel model, string prefix) => Names.AddOrUpdate(model, prefix);

    /// <summary>The dotted name <paramref name="module"/> was registered under, or null if none.</summary>
    public static string? NameOf(IModel module) => Names.TryGetValue(module, out var name) ? name : null;

    /// <summary>A value already registered under another name (a tied weight) keeps its first name.</summary>
    static bool IsShared(Tensor? value) => value?.Name is { } n && !n.StartsWith("__unnamed_", StringComparison.Ordinal);

    Tensor Rename(Tensor value, string name, ValueKind kind)
    {
        if (value.Kind != kind) throw new InvalidOperationException($"'{name}' must be a {kind.ToString().ToLowerInvariant()}, but holds {value}.");
        if (value.Graph != graph) throw new InvalidOperationException($"'{name}' was declared in graph '{value.Graph.Name}', not '{graph.Name}'.");
        graph.Rename(value, name);
        return value;
    }
}
