using System.Diagnostics;

namespace Dsl.Tests.Samples;

/// <summary>Runs the guide's samples (samples/WritingModels, built in the tests' configuration) as child processes.</summary>
static class SampleProcess
{
    /// <summary>samples/WritingModels/bin/&lt;Configuration&gt;/&lt;framework&gt;/ of this test run.</summary>
    public static string OutputFolder
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = output.Name, configuration = output.Parent!.Name;
            return Path.Combine(Repository, "samples", "WritingModels", "bin", configuration, framework);
        }
    }

    /// <summary>samples/WritingModels/obj/&lt;Configuration&gt;/&lt;framework&gt;/ (where EmitCompilerGeneratedFiles writes).</summary>
    public static string IntermediateFolder
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(Repository, "samples", "WritingModels", "obj", output.Parent!.Name, output.Name);
        }
    }

    static string Repository => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Parent!.Parent!.Parent!.FullName;

    /// <summary>Runs <c>dotnet WritingModels.dll ARGS</c>; returns the exit code and everything printed.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(OutputFolder, "WritingModels.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"WritingModels {string.Join(' ', args)} ran longer than 3 minutes.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
