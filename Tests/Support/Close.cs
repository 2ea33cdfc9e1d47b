using Dsl.Execution;
namespace Dsl.Tests.Support;

/// <summary>Elementwise closeness checks with NaN awareness and a message naming the worst element.</summary>
public static class Close
{
    /// <summary>Asserts |a-b| ≤ atol + rtol·|b| everywhere (NaN only matches NaN).</summary>
    public static void Assert(HostTensor actual, HostTensor expected, double rtol, double atol, string what)
    {
        actual.Shape.ShouldBe(expected.Shape, what);
        var a = actual.ToDoubles();
        var b = expected.ToDoubles();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(a[i]) && double.IsNaN(b[i])) continue;
            double excess = Math.Abs(a[i] - b[i]) - (atol + rtol * Math.Abs(b[i]));
            if (double.IsNaN(excess) || excess > worstExcess) { worst = i; worstExcess = double.IsNaN(excess) ? double.PositiveInfinity : excess; }
        }
        if (worst >= 0)
            throw new Xunit.Sdk.XunitException($"{what}: element {worst} is {a[worst]:R}, expected {b[worst]:R} (rtol {rtol}, atol {atol}).");
    }

    /// <summary>Largest |a-b| / max(|b|, floor).</summary>
    public static double MaxRelativeError(HostTensor actual, HostTensor expected, double floor = 1e-12)
    {
        var a = actual.ToDoubles();
        var b = expected.ToDoubles();
        return a.Zip(b, (x, y) => Math.Abs(x - y) / Math.Max(Math.Abs(y), floor)).DefaultIfEmpty(0).Max();
    }
}
