using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Dsl.Bench.Rows;

namespace Dsl.Bench;

/// <summary>What a child process reports on its last line, after <see cref="Marker"/>.</summary>
sealed record ChildReport(long? PeakRssBytes, double StepsPerSecond)
{
    public const string Marker = "@result ";

    public string ToLine() => Marker + JsonSerializer.Serialize(this);
}

/// <summary>
/// <c>--memory</c>: each variant of each row runs alone in a child process of this program
/// (<c>&lt;row&gt; --variant dsl|torch --child</c>), whose peak resident set (VmHWM) is then the
/// variant's own: the .NET runtime and libtorch included, nothing of the other variant.
/// </summary>
static class MemoryCommand
{
    public static IReadOnlyList<MemoryResult> Run(IReadOnlyList<Row> rows, BenchOptions options)
    {
        var results = new List<MemoryResult>();
        foreach (var row in rows)
        {
            var dsl = RunChild(row, "dsl", options);
            var torch = RunChild(row, "torch", options);
            results.Add(new MemoryResult(row.Name, row.Images, dsl?.PeakRssBytes, torch?.PeakRssBytes, dsl?.StepsPerSecond, torch?.StepsPerSecond));
        }
        return results;
    }

    static ChildReport? RunChild(Row row, string variant, BenchOptions options)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under 'dotnet StepBench.dll' the process is the dotnet host: name the assembly too.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in new[] { row.Name, "--variant", variant, "--child", "--results", "none" }.Concat(options.Counts.ToArgs())) start.ArgumentList.Add(a);
        if (options.Sgd) { start.ArgumentList.Add("--optimizer"); start.ArgumentList.Add("sgd"); }
        if (options.Nchw) start.ArgumentList.Add("--nchw");
        if (options.Threads > 0) { start.ArgumentList.Add("--threads"); start.ArgumentList.Add(options.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)); }

        Console.WriteLine($"-- {row.Name} / {variant} in its own process");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a child process.");
        ChildReport? report = null;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(ChildReport.Marker, StringComparison.Ordinal)) report = JsonSerializer.Deserialize<ChildReport>(line[ChildReport.Marker.Length..]);
            else Console.WriteLine("   | " + line);
        }
        process.WaitForExit();
        if (process.ExitCode != 0 || report is null)
            Console.WriteLine($"   {row.Name} / {variant}: the child exited with code {process.ExitCode} and no result");
        return report;
    }
}
