using Dsl.Execution;
namespace Dsl.Tests.Support;

/// <summary>Seeded host data for tests.</summary>
public static class TestData
{
    /// <summary>Uniform values in [lo, hi) as f64 (or f32).</summary>
    public static HostTensor Uniform(Shape shape, int seed, double lo = -1, double hi = 1, DType dtype = DType.Float64)
    {
        var rng = new Random(seed);
        var v = Enumerable.Range(0, (int)shape.Numel).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();
        return dtype == DType.Float64 ? HostTensor.F64(shape, v) : HostTensor.F32(shape, v.Select(d => (float)d).ToArray());
    }

    /// <summary>Integers in [0, max) as i64.</summary>
    public static HostTensor Ints(Shape shape, int seed, int max)
    {
        var rng = new Random(seed);
        return HostTensor.I64(shape, Enumerable.Range(0, (int)shape.Numel).Select(_ => (long)rng.Next(max)).ToArray());
    }
}
