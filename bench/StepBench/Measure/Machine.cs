using System.Diagnostics;
using TorchSharp;

namespace Dsl.Bench.Measure;

/// <summary>What the machine can do and what this process used.</summary>
static class Machine
{
    /// <summary>
    /// fp32 FLOP/s of a 1024³ torch matmul (2·1024³ operations), the best of repeated timings:
    /// the "peak" that utilisation is measured against (libtorch's GEMM on all its threads).
    /// </summary>
    public static double MatmulPeakFlops()
    {
        const int N = 1024;
        using var a = torch.rand(N, N);
        using var b = torch.rand(N, N);
        for (int i = 0; i < 3; i++) a.matmul(b).Dispose();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < 20 && (i < 5 || total.Elapsed.TotalSeconds < 2); i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            a.matmul(b).Dispose();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        return 2.0 * N * N * N / best;
    }

    /// <summary>This process's peak resident set (VmHWM of /proc/self/status) in bytes, or null off Linux.</summary>
    public static long? PeakRssBytes()
    {
        if (!File.Exists("/proc/self/status")) return null;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
    }
}
