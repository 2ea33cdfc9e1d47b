using System.Globalization;
using System.Text;

namespace Dsl.Bench;

/// <summary>The Markdown tables printed at the end of a run and written to the results file.</summary>
static class Report
{
    /// <summary>One line per row, the two variants side by side.</summary>
    public static string StepTable(IReadOnlyList<RowResult> rows, double? peakFlops)
    {
        var t = new MarkdownTable("row", "batch", "GFLOP/step", "dsl steps/s", "torch steps/s", "dsl/torch", "dsl img/s", "torch img/s",
            "dsl util", "torch util", "dsl managed KB/step", "torch managed KB/step", "loss check max abs diff (first step)");
        foreach (var r in rows)
        {
            string Util(VariantResult? v) => v is null || peakFlops is not double peak || !double.IsFinite(v.StepsPerSecond) ? "" : $"{r.Flops * v.StepsPerSecond / peak:P1}";
            t.Add(r.Row.Name, I(r.Row.Images), F(r.Flops / 1e9, "F2"),
                Rate(r.Dsl?.StepsPerSecond), Rate(r.Torch?.StepsPerSecond), Ratio(r.Dsl?.StepsPerSecond, r.Torch?.StepsPerSecond),
                F(r.Dsl?.StepsPerSecond * r.Row.Images, "F1"), F(r.Torch?.StepsPerSecond * r.Row.Images, "F1"),
                Util(r.Dsl), Util(r.Torch),
                F(r.Dsl?.ManagedBytesPerStep / 1024, "F1"), F(r.Torch?.ManagedBytesPerStep / 1024, "F1"),
                r.Check is { } c ? $"{c.MaxDiff.ToString("E1", CultureInfo.InvariantCulture)} ({c.FirstDiff.ToString("E1", CultureInfo.InvariantCulture)})" : "");
        }
        return t.ToString();
    }

    /// <summary>Peak resident set of each variant alone (its own process).</summary>
    public static string MemoryTable(IReadOnlyList<MemoryResult> rows)
    {
        var t = new MarkdownTable("row", "batch", "dsl peak RSS MB", "torch peak RSS MB", "dsl/torch", "dsl steps/s", "torch steps/s");
        foreach (var r in rows)
            t.Add(r.Row, I(r.Images), F(r.DslPeakBytes / 1048576.0, "F0"), F(r.TorchPeakBytes / 1048576.0, "F0"),
                Ratio(r.DslPeakBytes, r.TorchPeakBytes), Rate(r.DslStepsPerSecond), Rate(r.TorchStepsPerSecond));
        return t.ToString();
    }

    /// <summary>"1.23×": how many times the first is the second.</summary>
    public static string Ratio(double? a, double? b) =>
        a is double x && b is double y && y > 0 ? (x / y).ToString("F2", CultureInfo.InvariantCulture) + "×" : "";

    /// <summary>A rate with three significant digits for slow rows (0.0213), two decimals otherwise.</summary>
    public static string Rate(double? value) => F(value, value is < 1 ? "G3" : "F2");

    public static string F(double? value, string format) => value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What the two child processes of a row reported.</summary>
sealed record MemoryResult(string Row, int Images, double? DslPeakBytes, double? TorchPeakBytes, double? DslStepsPerSecond, double? TorchStepsPerSecond);

/// <summary>A Markdown table built row by row.</summary>
sealed class MarkdownTable(params string[] header)
{
    readonly List<string[]> rows = [];

    public void Add(params string[] cells) => rows.Add(cells);

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        sb.Append('|').AppendJoin("|", header.Select(_ => "---")).AppendLine("|");
        foreach (var r in rows) sb.Append("| ").AppendJoin(" | ", r).AppendLine(" |");
        return sb.ToString();
    }
}
