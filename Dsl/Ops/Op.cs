using System.Globalization;
using System.Reflection;

namespace Dsl.Operators;

/// <summary>
/// A primitive operation of the IR. Each op keeps in one place: its attributes (the record's
/// properties, value-equal so CSE can merge identical nodes), its type/shape rule
/// (<see cref="InferTypes"/>) and its vector-Jacobian product (<see cref="Vjp"/>), written with
/// other ops so that a backward pass is itself a graph.
/// </summary>
public abstract record Op
{
    /// <summary>Short lower-case name used by the printer and in errors (e.g. "matmul").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Output types for the given input types. Throws <see cref="ShapeException"/> with a message
    /// naming the offending shapes; the graph adds the model scope and op.
    /// </summary>
    public abstract TensorType[] InferTypes(TensorType[] inputs);

    /// <summary>
    /// Reverse-mode rule: one gradient per input (null where the input is not differentiable,
    /// e.g. indices). Only called when at least one output has a gradient.
    /// </summary>
    public abstract Tensor?[] Vjp(VjpContext ctx);

    /// <summary>True for ops that draw random numbers (never merged by CSE, never folded).</summary>
    public virtual bool IsRandom => false;

    /// <summary>For random ops: a copy with a distinct stream id so two draws differ.</summary>
    public virtual Op WithStream(int stream) => this;

    /// <summary>Name plus attributes, e.g. <c>matmul{transB=true}</c>.</summary>
    public string Describe()
    {
        var attrs = GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType != typeof(Op) && p.Name != nameof(Name) && p.Name != "EqualityContract")
            .Select(p => p.Name + "=" + FormatAttribute(p.GetValue(this)))
            .ToArray();
        return attrs.Length == 0 ? Name : Name + "{" + string.Join(", ", attrs) + "}";
    }

    static string FormatAttribute(object? v) => v switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>Helper for shape rules: every input has the type of the first (a gradient and its forward value).</summary>
    protected static void RequireSameTypes(TensorType[] inputs, params string[] names)
    {
        for (int i = 1; i < inputs.Length; i++)
            Require(inputs[i] == inputs[0], $"{names[0]} {inputs[0]} and {names[i]} {inputs[i]} must have the same shape and dtype");
    }

    /// <summary>Helper for rules: throws a <see cref="ShapeException"/> when the condition is false.</summary>
    protected static void Require(bool condition, string message)
    {
        if (!condition) throw new ShapeException(message);
    }

    /// <summary>Helper for rules: checks the input count.</summary>
    protected void Arity(TensorType[] inputs, int count)
    {
        if (inputs.Length != count) throw new ShapeException($"{Name} takes {count} inputs, got {inputs.Length}");
    }

    /// <summary>Helper for rules: requires a floating-point input.</summary>
    protected void RequireFloat(TensorType t, string what = "input")
    {
        if (!t.DType.IsFloat()) throw new ShapeException($"{Name} needs a floating-point {what}, got {t}");
    }
}

/// <summary>What a VJP rule sees: the node's inputs, outputs and the gradients of its outputs.</summary>
public sealed class VjpContext
{
    readonly Tensor?[] outputGrads;

    internal VjpContext(Node node, Tensor?[] outputGrads)
    {
        Node = node;
        this.outputGrads = outputGrads;
    }

    /// <summary>The node being differentiated.</summary>
    public Node Node { get; }

    /// <summary>Input i of the node.</summary>
    public Tensor X(int i = 0) => Node.Inputs[i];

    /// <summary>Output i of the node.</summary>
    public Tensor Y(int i = 0) => Node.Outputs[i];

    /// <summary>True if output i received a gradient (false: it is unused, and <see cref="Dy"/> is zeros).</summary>
    public bool HasDy(int i) => outputGrads[i] is not null;

    /// <summary>
    /// Gradient of output i: zeros (made on first request) where the output is unused, so a rule
    /// that skips the terms of unused outputs with <see cref="HasDy"/> adds no work for them.
    /// </summary>
    public Tensor Dy(int i = 0) => outputGrads[i] ??= Ops.ZerosLike(Y(i));
}
