using Dsl.Execution;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>Host arrays to torch tensors, copied as the DSL step copies its inputs every step.</summary>
static class Host
{
    public static TT ToTorch(HostTensor host) => host.Data switch
    {
        float[] f => torch.tensor(f, host.Shape.ToLongArray()),
        long[] l => torch.tensor(l, host.Shape.ToLongArray()),
        double[] d => torch.tensor(d, host.Shape.ToLongArray()),
        _ => throw new NotSupportedException($"No torch conversion for {host.Type}."),
    };

    public static TT Input(IReadOnlyDictionary<string, HostTensor> batch, string name) =>
        batch.TryGetValue(name, out var host) ? ToTorch(host) : throw new KeyNotFoundException($"The batch has no input '{name}'.");
}
