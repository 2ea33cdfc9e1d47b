namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// One value the runtime must deliver after a dispatch: a graph output (<see cref="OutputName"/>)
/// or the new value of an update (<see cref="UpdateTarget"/>, the persistent value it replaces).
/// It is either DirectML graph output <see cref="GraphOutputIndex"/>, or, when no node computes
/// it (an output that is an input, a parameter or a constant, or an alias of one), a copy of
/// <see cref="CopyOf"/>'s buffer that the runtime makes with <c>CopyBufferRegion</c>.
/// </summary>
/// <remarks>
/// The copy is the runtime's rather than an ELEMENT_WISE_IDENTITY node because it works for every
/// data type (int64 included) and needs no operator support; a graph made only of such copies
/// compiles to nothing.
/// </remarks>
internal sealed record DmlResult(string? OutputName, Tensor? UpdateTarget, Tensor Value)
{
    /// <summary>The DirectML graph output index, or -1 when <see cref="CopyOf"/> is set.</summary>
    public int GraphOutputIndex { get; init; } = -1;

    /// <summary>The graph value (input, persistent or constant) this result is a copy of, if no node computes it.</summary>
    public Tensor? CopyOf { get; init; }
}
