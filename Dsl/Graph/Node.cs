using Dsl.Operators;
namespace Dsl;

/// <summary>One operation in a <see cref="Graph"/>: an op with its attributes, inputs and outputs.</summary>
public sealed class Node
{
    internal Node(int index, Op op, Tensor[] inputs, string scope)
    {
        Index = index;
        Op = op;
        Inputs = inputs;
        Scope = scope;
    }

    /// <summary>Position in the graph's topological order at creation.</summary>
    public int Index { get; internal set; }

    /// <summary>The operation and its attributes (a value-equal record).</summary>
    public Op Op { get; }

    /// <summary>Input values.</summary>
    public IReadOnlyList<Tensor> Inputs { get; internal set; }

    /// <summary>Output values.</summary>
    public IReadOnlyList<Tensor> Outputs { get; internal set; } = [];

    /// <summary>Model scope that created the node (e.g. "blocks.3.attn"), for errors and printing.</summary>
    public string Scope { get; }

    /// <summary>The single output of a one-output node.</summary>
    public Tensor Output => Outputs.Count == 1 ? Outputs[0] : throw new InvalidOperationException($"{Op.Name} has {Outputs.Count} outputs.");
}
