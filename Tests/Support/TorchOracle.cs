using Dsl.Backend.Torch;
using Dsl.Execution;

namespace Dsl.Tests.Support;

/// <summary>The test oracle: TorchSharp autograd over a graph's forward nodes (<see cref="TorchAutograd"/>).</summary>
public static class TorchOracle
{
    /// <summary>d(sum(output · cotangent))/d(input) for each float input, computed by TorchSharp autograd.</summary>
    public static HostTensor[] Gradients(Graph graph, Tensor output, IReadOnlyDictionary<string, HostTensor> feeds, HostTensor cotangent, IReadOnlyList<Tensor> wrt) =>
        TorchAutograd.Gradients(graph, output, feeds, cotangent, wrt);
}
