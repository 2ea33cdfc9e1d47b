namespace Dsl;

/// <summary>
/// What a <c>[Model]</c> class calls unqualified to declare and update its values. The model
/// generator imports these into every project that defines models (a <c>global using static</c>
/// in its <c>Dsl.ModelHelpers.g.cs</c>), so no generated class repeats them.
/// </summary>
public static class ModelHelpers
{
    /// <summary>
    /// Declares a parameter of this shape in the graph being built (see <see cref="ModelContext.Build{T}(Graph, System.Func{T}, string, DType)"/>);
    /// assign it to a <c>[Parameter]</c> field, whose generated <c>Register</c> names it.
    /// </summary>
    public static Tensor Param(params int[] shape) => ModelContext.Parameter(shape);

    /// <summary>
    /// Declares a buffer (state that is not trained, e.g. running statistics) of this shape in the graph
    /// being built; assign it to a <c>[Buffer]</c> field, whose generated <c>Register</c> names it.
    /// </summary>
    public static Tensor BufferOf(params int[] shape) => ModelContext.Buffer(shape);

    /// <summary>After each run of the graph, <paramref name="buffer"/> takes <paramref name="value"/> (e.g. running statistics).</summary>
    public static void UpdateBuffer(Tensor buffer, Tensor value) => buffer.Graph.Update(buffer, value);
}
