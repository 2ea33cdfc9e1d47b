using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterCreation(Dictionary<Type, Kernel> t)
    {
        AddMulti<FullOp>(t, (op, _, ctx) =>
        {
            using var value = op.Value.ToScalar();
            return [torch.full(op.Shape.ToLongArray(), value, op.DType.ToTorch(), ctx.Device)];
        });
        AddMulti<ConstantOp>(t, (op, _, ctx) => [op.Value.ToTorch(ctx.Device)]);
        AddMulti<RandomUniformOp>(t, (op, x, ctx) => [Draw(op, x[0], ctx, normal: false)]);
        AddMulti<RandomNormalOp>(t, (op, x, ctx) => [Draw(op, x[0], ctx, normal: true)]);
    }

    /// <summary>
    /// Draws from a generator seeded by (seed, offset, stream): the same seed input gives the same
    /// numbers, distinct random nodes give independent ones.
    /// </summary>
    static TT Draw(RandomOp op, TT seed, KernelContext ctx, bool normal)
    {
        long s, offset;
        using (var cpu = seed.device_type == DeviceType.CPU ? seed.alias() : seed.cpu())
        {
            var values = cpu.data<long>();
            (s, offset) = (values[0], values[1]);
        }
        using var gen = new torch.Generator(Mix(s, offset, op.Stream), ctx.Device);
        var shape = op.Shape.ToLongArray();
        return normal
            ? torch.randn(shape, op.DType.ToTorch(), ctx.Device, generator: gen)
            : torch.rand(shape, op.DType.ToTorch(), ctx.Device, generator: gen);
    }

    /// <summary>SplitMix64-style mixing of the three numbers into one generator seed.</summary>
    static ulong Mix(long seed, long offset, int stream)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)offset * 0xBF58476D1CE4E5B9UL ^ (ulong)stream * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
