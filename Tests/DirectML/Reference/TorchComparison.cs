using Dsl.Backend.DirectML.Lowering;
using Dsl.Execution;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML.Reference;

/// <summary>The check every graph-builder test ends with: each interpreted output equals Backend.Torch's of the same name.</summary>
internal static class TorchComparison
{
    /// <summary>Asserts that output k of <paramref name="outputs"/> (in <paramref name="built"/>'s output order) matches <paramref name="expected"/> by name.</summary>
    public static void AssertOutputsMatch(DmlBuiltGraph built, float[][] outputs, IReadOnlyDictionary<string, HostTensor> expected, double rtol, double atol)
    {
        for (var k = 0; k < built.Outputs.Count; k++)
        {
            var name = built.Outputs[k].Name!;
            var want = expected[name];
            outputs[k].Length.ShouldBe((int)want.Shape.Numel, name);
            Close.Assert(HostTensor.F32(want.Shape, outputs[k]), want, rtol: rtol, atol: atol, $"DirectML graph output '{name}'");
        }
    }
}
