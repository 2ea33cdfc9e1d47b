using Dsl.Operators;
namespace Dsl;

/// <summary>
/// A static computation graph: inputs, persistent values (parameters, buffers, optimizer state),
/// nodes in topological order, named outputs and in-place updates of persistent values.
/// Built once by running model code over symbolic <see cref="Tensor"/>s, then compiled by a backend.
/// </summary>
public sealed class Graph
{
    readonly List<Node> nodes = [];
    readonly List<Tensor> values = [];
    readonly Dictionary<string, Tensor> named = [];
    readonly List<GraphOutput> outputs = [];
    readonly List<GraphUpdate> updates = [];
    readonly Stack<string> scopes = new();
    int nextRandomStream;

    /// <summary>Creates an empty graph.</summary>
    public Graph(string name = "graph") => Name = name;

    /// <summary>Name used by the printer.</summary>
    public string Name { get; }

    /// <summary>Nodes in topological order.</summary>
    public IReadOnlyList<Node> Nodes => nodes;

    /// <summary>Every value, indexed by <see cref="Tensor.Id"/>.</summary>
    public IReadOnlyList<Tensor> Values => values;

    /// <summary>Values fed by the caller on each run, in declaration order.</summary>
    public IEnumerable<Tensor> Inputs => values.Where(v => v.Kind == ValueKind.Input);

    /// <summary>Parameters, buffers and optimizer state, in declaration order.</summary>
    public IEnumerable<Tensor> Persistent => values.Where(v => v.IsPersistent);

    /// <summary>Trainable parameters, in declaration order.</summary>
    public IEnumerable<Tensor> Parameters => values.Where(v => v.Kind == ValueKind.Parameter);

    /// <summary>Named results returned by every run.</summary>
    public IReadOnlyList<GraphOutput> Outputs => outputs;

    /// <summary>Persistent values overwritten at the end of every run.</summary>
    public IReadOnlyList<GraphUpdate> Updates => updates;

    /// <summary>The current model scope ("" at top level).</summary>
    public string CurrentScope => scopes.Count == 0 ? "" : scopes.Peek();

    /// <summary>Looks up an input or persistent value by name.</summary>
    public Tensor this[string name] => named.TryGetValue(name, out var t)
        ? t : throw new KeyNotFoundException($"Graph '{Name}' has no value named '{name}'.");

    /// <summary>True if an input or persistent value has this name.</summary>
    public bool Contains(string name) => named.ContainsKey(name);

    /// <summary>Declares a per-run input.</summary>
    public Tensor Input(string name, Shape shape, DType dtype = DType.Float32) => Declare(name, shape, dtype, ValueKind.Input);

    /// <summary>Declares a trainable parameter.</summary>
    public Tensor Parameter(string name, Shape shape, DType dtype = DType.Float32) => Declare(name, shape, dtype, ValueKind.Parameter);

    /// <summary>Declares a non-trainable persistent buffer.</summary>
    public Tensor Buffer(string name, Shape shape, DType dtype = DType.Float32) => Declare(name, shape, dtype, ValueKind.Buffer);

    /// <summary>Declares persistent optimizer state.</summary>
    public Tensor State(string name, Shape shape, DType dtype = DType.Float32) => Declare(name, shape, dtype, ValueKind.State);

    /// <summary>Marks a value as a named result of the graph.</summary>
    public void Output(string name, Tensor value)
    {
        Own(value);
        if (outputs.Any(o => o.Name == name)) throw new ArgumentException($"Graph '{Name}' already has an output named '{name}'.");
        outputs.Add(new GraphOutput(name, value));
    }

    /// <summary>
    /// After each run, <paramref name="target"/> (a persistent value) takes <paramref name="value"/>.
    /// Updating a target again replaces the earlier update; compute the new value from
    /// <see cref="Pending"/> to chain them (a BatchNorm applied to two views updates its running
    /// statistics twice, as in PyTorch).
    /// </summary>
    public void Update(Tensor target, Tensor value)
    {
        Own(target);
        Own(value);
        if (!target.IsPersistent) throw new ArgumentException($"Only parameters, buffers and state can be updated; {target} is {target.Kind}.");
        if (target.Type != value.Type)
            throw new ShapeException($"Update of {target.Ref}: the new value is {value.Type} but the persistent value is {target.Type}.");
        int existing = updates.FindIndex(u => u.Target == target);
        if (existing >= 0) updates[existing] = new GraphUpdate(target, value);
        else updates.Add(new GraphUpdate(target, value));
    }

    /// <summary>The value a persistent tensor will hold after this run's updates so far (itself if none).</summary>
    public Tensor Pending(Tensor persistent)
    {
        Own(persistent);
        return updates.FindLast(u => u.Target == persistent)?.Value ?? persistent;
    }

    /// <summary>Gives an input or persistent value a new (unique) name.</summary>
    public void Rename(Tensor value, string name)
    {
        Own(value);
        if (value.Name is null) throw new ArgumentException($"Only inputs and persistent values have names; {value} is an intermediate.");
        if (value.Name == name) return;
        if (named.ContainsKey(name)) throw new ArgumentException($"Graph '{Name}' already has a value named '{name}'.");
        named.Remove(value.Name);
        value.Name = name;
        named[name] = value;
    }

    /// <summary>Enters a model scope (dotted names compose); dispose to leave it.</summary>
    public IDisposable Scope(string name)
    {
        scopes.Push(CurrentScope.Length == 0 ? name : CurrentScope + "." + name);
        return new ScopeExit(scopes);
    }

    /// <summary>
    /// Appends a node: infers its output types (shape errors name scope, op and input types)
    /// and returns its outputs.
    /// </summary>
    public IReadOnlyList<Tensor> Apply(Op op, params Tensor[] inputs)
    {
        foreach (var i in inputs) Own(i);
        TensorType[] types;
        try
        {
            types = op.InferTypes(inputs.Select(i => i.Type).ToArray());
        }
        catch (ShapeException e)
        {
            string where = CurrentScope.Length == 0 ? Name : CurrentScope;
            string args = string.Join(", ", inputs.Select(i => i.Type.ToString()));
            throw new ShapeException($"Shape error in {where}, op {op.Describe()}({args}): {e.Message}");
        }
        if (op.IsRandom) op = op.WithStream(nextRandomStream++);
        return AddNode(op, inputs, types, CurrentScope);
    }

    /// <summary>
    /// Copies a node from another graph onto mapped inputs, keeping its op (random streams
    /// included) and scope. Used by passes that rebuild graphs.
    /// </summary>
    internal IReadOnlyList<Tensor> CopyNode(Node node, Tensor[] inputs)
    {
        foreach (var i in inputs) Own(i);
        if (node.Op.IsRandom) nextRandomStream = Math.Max(nextRandomStream, ((RandomOp)node.Op).Stream + 1);
        return AddNode(node.Op, inputs, node.Outputs.Select(o => o.Type).ToArray(), node.Scope);
    }

    /// <summary>Appends a node with a new op in the scope of an existing node (for rewrites).</summary>
    internal Tensor AddInScope(Op op, string scope) =>
        AddNode(op, [], op.InferTypes([]), scope)[0];

    /// <summary>Declares a value like <paramref name="v"/> (input or persistent) from another graph.</summary>
    internal Tensor DeclareLike(Tensor v) => Declare(v.Name!, v.Shape, v.DType, v.Kind);

    IReadOnlyList<Tensor> AddNode(Op op, Tensor[] inputs, TensorType[] types, string scope)
    {
        var node = new Node(nodes.Count, op, inputs, scope);
        node.Outputs = types.Select((t, k) => NewValue(t, ValueKind.Intermediate, null, node, k)).ToArray();
        nodes.Add(node);
        return node.Outputs;
    }

    Tensor Declare(string name, Shape shape, DType dtype, ValueKind kind)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A graph input or persistent value needs a name.");
        if (named.ContainsKey(name)) throw new ArgumentException($"Graph '{Name}' already has a value named '{name}'.");
        var t = NewValue(new TensorType(shape, dtype), kind, name, null, 0);
        named[name] = t;
        return t;
    }

    Tensor NewValue(TensorType type, ValueKind kind, string? name, Node? producer, int index)
    {
        var t = new Tensor(this, values.Count, type, kind, name, producer, index);
        values.Add(t);
        return t;
    }

    void Own(Tensor t)
    {
        if (t.Graph != this)
            throw new ArgumentException($"{t} belongs to graph '{t.Graph.Name}', not '{Name}': tensors of two graphs cannot be mixed.");
    }

    sealed class ScopeExit(Stack<string> scopes) : IDisposable
    {
        bool done;
        public void Dispose()
        {
            if (!done) scopes.Pop();
            done = true;
        }
    }
}

/// <summary>A named result of a graph.</summary>
public sealed record GraphOutput(string Name, Tensor Value);

/// <summary>An in-place update of a persistent value at the end of a run.</summary>
public sealed record GraphUpdate(Tensor Target, Tensor Value);
