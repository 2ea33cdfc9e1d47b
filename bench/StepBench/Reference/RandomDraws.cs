using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>
/// The random numbers of a DSL step, drawn the way Backend.Torch draws them
/// (Backend.Torch/Lowering/Creation.cs): a torch generator seeded with a SplitMix64-style mix of the
/// trainer's seed input (seed, step) and the random node's stream, then torch.rand / torch.randn.
/// </summary>
static class RandomDraws
{
    /// <summary>The stream of the graph's only random-uniform node of <paramref name="shape"/>.</summary>
    public static int UniformStream(Graph stepGraph, Shape shape) =>
        stepGraph.Nodes.Select(n => n.Op).OfType<RandomUniformOp>().Single(op => op.Shape == shape).Stream;

    /// <summary>Uniform [0, 1) numbers as the backend draws them at <paramref name="step"/> (the trainer's step counter).</summary>
    public static TT Uniform(Shape shape, int seed, long step, int stream)
    {
        using var generator = new torch.Generator(Mix(seed, step, stream), torch.CPU);
        return torch.rand(shape.ToLongArray(), torch.ScalarType.Float32, generator: generator);
    }

    /// <summary>A copy of the backend's private mixing function (kept identical on purpose).</summary>
    static ulong Mix(long seed, long offset, int stream)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)offset * 0xBF58476D1CE4E5B9UL ^ (ulong)stream * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
