using System.Globalization;
using System.Text;

namespace Dsl.Bench;

/// <summary>
/// The day's results file, bench/results/yyyy-MM-dd.md: one "## " section per kind of run (step
/// time, peak memory, graph build). A run replaces the sections it wrote and keeps the others.
/// </summary>
static class ResultsFile
{
    /// <summary>The file for <paramref name="option"/> (a path, "none", or null for the default); null when not writing.</summary>
    public static string? PathFor(string? option)
    {
        if (option == "none") return null;
        if (option is not null) return Path.GetFullPath(option);
        var root = FindRepositoryRoot() ?? Directory.GetCurrentDirectory();
        return Path.Combine(root, "bench", "results", DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".md");
    }

    /// <summary>Writes <paramref name="body"/> as the section <paramref name="title"/> of <paramref name="path"/>.</summary>
    public static void WriteSection(string path, string title, string body)
    {
        var sections = new List<(string Title, string Text)>();
        string preamble = $"# StepBench results {Path.GetFileNameWithoutExtension(path)}\n\nWritten by `dotnet run -c Release --project bench/StepBench`; see bench/README.md for how to read the columns.\n";
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path);
            var parts = text.Split("\n## ");
            preamble = parts[0].TrimEnd() + "\n";
            foreach (var part in parts.Skip(1))
            {
                int end = part.IndexOf('\n');
                sections.Add((end < 0 ? part : part[..end], end < 0 ? "" : part[(end + 1)..]));
            }
        }
        int index = sections.FindIndex(s => s.Title == title);
        if (index >= 0) sections[index] = (title, body);
        else sections.Add((title, body));
        var sb = new StringBuilder(preamble);
        foreach (var (t, b) in sections) sb.Append("\n## ").Append(t).Append("\n\n").Append(b.Trim()).Append('\n');
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sb.ToString());
    }

    static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Dsl.sln"))) return dir.FullName;
        return null;
    }
}
