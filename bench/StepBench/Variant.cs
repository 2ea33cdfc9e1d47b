using System.Diagnostics;

namespace Dsl.Bench;

/// <summary>
/// One implementation of a row's training step, built once: its first losses (the check), then
/// untimed warmup steps, then timed rounds. Times, steps/s and managed allocations are its own.
/// </summary>
sealed class Variant : IDisposable
{
    readonly Func<double> step;
    readonly IDisposable owner;
    readonly List<double> times = [];
    readonly List<double> rounds = [];
    long managedBytes;

    Variant(string name, Func<double> step, IDisposable owner, double constructionSeconds)
    {
        (Name, this.step, this.owner, ConstructionSeconds) = (name, step, owner, constructionSeconds);
    }

    public string Name { get; }
    /// <summary>Seconds to build it (for the DSL: graph build, compile and initialisation).</summary>
    public double ConstructionSeconds { get; }
    public double[] CheckLosses { get; private set; } = [];
    public double LastLoss { get; private set; }
    public double MedianStepsPerSecond => Median(rounds);
    public double MedianMs => Median(times);
    public double ManagedBytesPerStep => times.Count == 0 ? double.NaN : (double)managedBytes / times.Count;

    public static Variant Create(string name, Func<(Func<double> Step, IDisposable Owner)> create)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        var (step, owner) = create();
        return new Variant(name, step, owner, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Runs the first <paramref name="steps"/> steps and keeps their losses.</summary>
    public double[] Check(int steps) => CheckLosses = [.. Enumerable.Range(0, steps).Select(_ => LastLoss = step())];

    public void Warmup(int steps)
    {
        for (int i = 0; i < steps; i++) LastLoss = step();
    }

    /// <summary>Times <paramref name="steps"/> steps; returns steps/s.</summary>
    public double TimeRound(int steps)
    {
        long managed0 = GC.GetAllocatedBytesForCurrentThread();
        var total = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            LastLoss = step();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        double perSecond = steps / total.Elapsed.TotalSeconds;
        managedBytes += GC.GetAllocatedBytesForCurrentThread() - managed0;
        rounds.Add(perSecond);
        return perSecond;
    }

    static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public void Dispose() => owner.Dispose();
}
