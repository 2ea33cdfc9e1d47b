using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dsl.Backend.Torch;

/// <summary>
/// Time spent per op kind across every compiled graph, switched on with the environment variable
/// <c>DSL_PROFILE=1</c>; the table goes to standard error when the process exits. CPU kernels are
/// synchronous, so each call's wall time is its cost (on CUDA it is only the launch time).
/// </summary>
public static class OpProfile
{
    static readonly ConcurrentDictionary<string, (long Ticks, long Calls)> totals = new();

    /// <summary>True when <c>DSL_PROFILE</c> is 1 or true.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("DSL_PROFILE") is "1" or "true";

    static OpProfile()
    {
        if (Enabled) AppDomain.CurrentDomain.ProcessExit += (_, _) => Console.Error.Write(Report());
    }

    internal static void Record(string op, long ticks) =>
        totals.AddOrUpdate(op, (ticks, 1), (_, t) => (t.Ticks + ticks, t.Calls + 1));

    /// <summary>The table so far: op, total ms, share, calls, µs per call; most expensive first.</summary>
    public static string Report()
    {
        var rows = totals.OrderByDescending(kv => kv.Value.Ticks).ToArray();
        double all = Math.Max(1, rows.Sum(r => r.Value.Ticks));
        var text = new System.Text.StringBuilder($"{"op",-22} {"ms",10} {"share",6} {"calls",9} {"us/call",8}\n");
        foreach (var (op, (ticks, calls)) in rows)
        {
            double ms = ticks * 1000.0 / Stopwatch.Frequency;
            text.AppendLine(FormattableString.Invariant($"{op,-22} {ms,10:F0} {ticks / all,6:P0} {calls,9} {ms * 1000 / calls,8:F1}"));
        }
        return text.ToString();
    }
}
