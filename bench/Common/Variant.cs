using System.Diagnostics;

// Shared by the step benchmarks (linked into each project).

/// <summary>One implementation under test: built and warmed up once, then timed in rounds.</summary>
sealed class Variant : IDisposable
{
    readonly Func<double> step;
    readonly IDisposable owner;
    readonly List<double> times = [];
    readonly List<double> rounds = [];
    long managedBytes;

    Variant(string name, Func<double> step, IDisposable owner, double rssGrowthMb)
    {
        (Name, this.step, this.owner, RssGrowthMb) = (name, step, owner, rssGrowthMb);
    }

    public string Name { get; }
    public double RssGrowthMb { get; }
    public double LastLoss { get; private set; }
    public double MedianStepsPerSecond => Median(rounds);
    public double MeanMs => times.Average();
    public double MedianMs => Median(times);
    public double P90Ms => times.Order().ElementAt((int)(times.Count * 0.9));
    public double ManagedBytesPerStep => (double)managedBytes / times.Count;

    public static Variant Create(string name, int warmup, Func<(Func<double> Step, IDisposable Owner)> create)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long rss0;
        using (var p = Process.GetCurrentProcess()) rss0 = p.WorkingSet64;
        var (step, owner) = create();
        for (int i = 0; i < warmup; i++) step();
        long rss1;
        using (var p = Process.GetCurrentProcess()) rss1 = p.WorkingSet64;
        return new Variant(name, step, owner, (rss1 - rss0) / (1024.0 * 1024));
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

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public void Dispose() => owner.Dispose();
}
