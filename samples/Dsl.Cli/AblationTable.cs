using System.Globalization;
using System.Text.RegularExpressions;

namespace Dsl.Cli;

/// <summary>
/// The markdown file <c>ablate</c> writes: under a heading <c>## SECTION</c>, one table with a row per configuration and
/// seed. A row is keyed by its configuration, seed and common options: writing it again replaces it, any other row is
/// appended. The rest of the file (prose, other sections) is kept as it is; each write replaces the file atomically.
/// </summary>
static partial class AblationTable
{
    /// <summary>The table's header. Accuracies in percent of the test set; wall time of the whole <c>train</c> command.</summary>
    public static readonly string[] Columns = ["configuration", "seed", "probe %", "kNN %", "random-init probe %", "random-init kNN %",
        "pixels probe %", "pixels kNN %", "fine-tune % (pretrained / random init)", "wall time (s)", "common options"];

    /// <summary>The first lines of a new file.</summary>
    static readonly string[] Preamble = ["# Ablations", "", "Rows written by `dsl-cli ablate`: one per configuration and seed, with the options common to the section's runs.",
        "Linear probe and kNN (k=20) on the full test set for the pretrained encoder, the same encoder at random init and raw pixels; wall time of the whole `train` command."];

    /// <summary>The row of one run: <paramref name="configuration"/> is what the ablation varied, <paramref name="options"/> what it did not.</summary>
    public static string[] Cells(string configuration, int seed, TrainEvaluation e, string options) =>
    [
        configuration, seed.ToString(CultureInfo.InvariantCulture),
        Percent(e.Pretrained.Probe), Percent(e.Pretrained.Knn), Percent(e.RandomInit.Probe), Percent(e.RandomInit.Knn),
        Percent(e.RawPixels.Probe), Percent(e.RawPixels.Knn),
        e.Finetune is { } f ? $"{Percent(f.Pretrained)} / {Percent(f.RandomInit)}" : "not run",
        e.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture), options,
    ];

    /// <summary>Whether <paramref name="path"/> holds, under <paramref name="section"/>, the row of this configuration, seed and options.</summary>
    public static bool Contains(string path, string section, string configuration, int seed, string options)
    {
        if (!File.Exists(path)) return false;
        var lines = File.ReadAllLines(path).ToList();
        return Find(lines, path, section) is { Table: >= 0 } at && RowOf(lines, at.Table, Key(configuration, seed.ToString(CultureInfo.InvariantCulture), options)) >= 0;
    }

    /// <summary>Writes <paramref name="cells"/> (from <see cref="Cells"/>) into the table under <paramref name="section"/>, replacing the row with the same key.</summary>
    /// <exception cref="CliException">The section's table has other columns.</exception>
    public static void Upsert(string path, string section, string[] cells)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path).ToList() : [.. Preamble];
        string row = Line(cells);
        var (start, end, table) = Find(lines, path, section);
        if (start < 0)
        {
            TrimEnd(lines, lines.Count);
            lines.AddRange(["", "## " + section, "", Line(Columns), Line(Columns.Select(_ => "---")), row]);
        }
        else if (table < 0)
        {
            int at = TrimEnd(lines, end);
            var inserted = new List<string> { "", Line(Columns), Line(Columns.Select(_ => "---")), row };
            if (at < lines.Count) inserted.Add("");   // a blank line before the next section
            lines.InsertRange(at, inserted);
        }
        else
        {
            int existing = RowOf(lines, table, Key(cells[0], cells[1], cells[^1]));
            if (existing >= 0) lines[existing] = row;
            else lines.Insert(TableEnd(lines, table), row);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        File.WriteAllText(temp, string.Join('\n', lines) + "\n");
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The section's heading line, the line after the section, and its table's header line (-1 when absent).</summary>
    static (int Start, int End, int Table) Find(List<string> lines, string path, string section)
    {
        int start = lines.FindIndex(l => l.TrimEnd() == "## " + section);
        if (start < 0) return (-1, lines.Count, -1);
        int end = lines.FindIndex(start + 1, l => l.StartsWith('#'));
        if (end < 0) end = lines.Count;
        int table = lines.FindIndex(start + 1, end - start - 1, l => l.StartsWith('|'));
        if (table >= 0 && !Split(lines[table]).SequenceEqual(Columns))
            throw new CliException($"The table under '## {section}' in {path} has other columns ({string.Join(", ", Split(lines[table]))}) than ablate writes: use another --section or --table, or move that table away.");
        return (start, end, table);
    }

    static string Key(string configuration, string seed, string options) => $"{configuration}\n{seed}\n{options}";

    /// <summary>The line of the row with <paramref name="key"/> in the table whose header is at <paramref name="table"/>, or -1.</summary>
    static int RowOf(List<string> lines, int table, string key)
    {
        for (int i = table + 2; i < TableEnd(lines, table); i++)
        {
            var cells = Split(lines[i]);
            if (cells.Length == Columns.Length && Key(cells[0], cells[1], cells[^1]) == key) return i;
        }
        return -1;
    }

    static int TableEnd(List<string> lines, int table)
    {
        int i = table + 1;
        while (i < lines.Count && lines[i].StartsWith('|')) i++;
        return i;
    }

    /// <summary>Drops blank lines just before <paramref name="end"/>; returns where the text before them ends.</summary>
    static int TrimEnd(List<string> lines, int end)
    {
        while (end > 0 && string.IsNullOrWhiteSpace(lines[end - 1])) lines.RemoveAt(--end);
        return end;
    }

    static string Line(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|"))) + " |";

    static string[] Split(string line) =>
        [.. UnescapedBar().Split(line.Trim().Trim('|')).Select(c => c.Trim().Replace("\\|", "|"))];

    static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedBar();
}
