using System.Runtime.CompilerServices;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Lowering;

internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>
    /// One input of an operator inside a node's chain: operator input <paramref name="Input"/> reads
    /// output <paramref name="FromOutput"/> of chain part <paramref name="FromPart"/>, or, where
    /// <paramref name="FromPart"/> is <see cref="NodeInput"/>, the Dsl node's input <paramref name="FromOutput"/>.
    /// </summary>
    internal readonly record struct PartInput(int Input, int FromPart, int FromOutput)
    {
        /// <summary>The <see cref="FromPart"/> that names one of the Dsl node's own inputs.</summary>
        public const int NodeInput = -1;
    }

    /// <summary>Explicit wiring of chain operators that read more than the previous part's first output, per build.</summary>
    static readonly ConditionalWeakTable<DmlNativeArena, Dictionary<nint, PartInput[]>> Wirings = new();

    /// <summary>Registers where each input of <paramref name="op"/> comes from (none: an operator without inputs).</summary>
    static DML_OPERATOR_DESC* Wired(DmlNativeArena arena, DML_OPERATOR_DESC* op, params PartInput[] inputs)
    {
        Wirings.GetOrCreateValue(arena)[(nint)op] = inputs;
        return op;
    }

    /// <summary>The explicit wiring of <paramref name="op"/>, or null for the default (see <c>Build</c>).</summary>
    static PartInput[]? WiringOf(DmlNativeArena arena, DML_OPERATOR_DESC* op) =>
        Wirings.TryGetValue(arena, out var table) && table.TryGetValue((nint)op, out var inputs) ? inputs : null;

    /// <summary>Operator input j reads the node's input j, for j below <paramref name="count"/>.</summary>
    static PartInput[] NodeInputs(int count) => [.. Enumerable.Range(0, count).Select(j => new PartInput(j, PartInput.NodeInput, j))];

    /// <summary>Operator input <paramref name="input"/> reads the node's input <paramref name="nodeInput"/>.</summary>
    static PartInput FromNode(int input, int nodeInput) => new(input, PartInput.NodeInput, nodeInput);

    /// <summary>Operator input <paramref name="input"/> reads output <paramref name="output"/> of chain part <paramref name="part"/>.</summary>
    static PartInput FromPart(int input, int part, int output = 0) => new(input, part, output);
}
