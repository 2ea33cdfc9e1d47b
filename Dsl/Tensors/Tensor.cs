namespace Dsl;

/// <summary>
/// A symbolic tensor: a typed value in a <see cref="Graph"/>, never data. Operators and
/// <see cref="Ops"/> functions append IR nodes to the tensor's graph.
/// </summary>
public sealed partial class Tensor
{
    internal Tensor(Graph graph, int id, TensorType type, ValueKind kind, string? name, Node? producer, int outputIndex)
    {
        Graph = graph;
        Id = id;
        Type = type;
        Kind = kind;
        Name = name;
        Producer = producer;
        OutputIndex = outputIndex;
    }

    /// <summary>The graph this value belongs to.</summary>
    public Graph Graph { get; }

    /// <summary>Unique id of the value inside its graph (stable across builds of the same code).</summary>
    public int Id { get; }

    /// <summary>Shape and element type.</summary>
    public TensorType Type { get; }

    /// <summary>Where the value comes from: an input, a persistent value or a node output.</summary>
    public ValueKind Kind { get; }

    /// <summary>Name of inputs and persistent values (dotted, PyTorch style); null for intermediates.</summary>
    public string? Name { get; internal set; }

    /// <summary>The node producing this value, or null for inputs and persistent values.</summary>
    public Node? Producer { get; }

    /// <summary>Which output of <see cref="Producer"/> this is.</summary>
    public int OutputIndex { get; }

    /// <summary>Shape of the value.</summary>
    public Shape Shape => Type.Shape;

    /// <summary>Element type of the value.</summary>
    public DType DType => Type.DType;

    /// <summary>Rank (number of dimensions).</summary>
    public int Rank => Type.Shape.Rank;

    /// <summary>True for values that survive between steps (parameters, buffers, optimizer state).</summary>
    public bool IsPersistent => Kind is ValueKind.Parameter or ValueKind.Buffer or ValueKind.State;

    /// <summary>Printer reference: %name for named values, %id otherwise.</summary>
    public string Ref => Name is null ? "%" + Id : "%" + Name;

    /// <inheritdoc/>
    public override string ToString() => $"{Ref}: {Type}";
}
