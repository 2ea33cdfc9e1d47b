using System.CommandLine;
using System.Globalization;

namespace Dsl.Cli;

/// <summary>
/// <c>plot</c>: line charts of CSV columns written by the other commands (loss curves of
/// <c>train</c>, accuracy per epoch of <c>supervised</c>/<c>finetune</c>), several files on one
/// chart, as the Keras SimCLR example compares baseline, pretraining + probe and fine-tuning.
/// </summary>
static class PlotCommand
{
    public static Command Create()
    {
        var csv = new Option<string[]>("--csv") { Description = "CSV file(s) with a header row; one series per file and column.", Required = true, AllowMultipleArgumentsPerToken = true, HelpName = "FILE" };
        var y = new Option<string[]>("--y") { Description = "Column(s) to plot.", DefaultValueFactory = _ => ["loss"], AllowMultipleArgumentsPerToken = true };
        var x = new Option<string>("--x") { Description = "Column for the horizontal axis.", DefaultValueFactory = _ => "step" };
        var labels = new Option<string[]>("--label") { Description = "Legend label per file (default: the file name).", AllowMultipleArgumentsPerToken = true };
        var smooth = new Option<int>("--smooth") { Description = "Moving-average window (points) applied to each series.", DefaultValueFactory = _ => 1 };
        var title = new Option<string?>("--title") { Description = "Chart title." };
        var output = new Option<string>("--out") { Description = "PNG file to write.", Required = true, HelpName = "PNG" };
        var command = new Command("plot", "Plots CSV columns (e.g. the loss CSV of 'train', the accuracy CSV of 'supervised'/'finetune') as a PNG line chart.");
        foreach (var o in new Option[] { csv, y, x, labels, smooth, title, output }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var files = parse.GetValue(csv)!;
            var names = parse.GetValue(labels) ?? [];
            if (names.Length > 0 && names.Length != files.Length)
                throw new CliException($"{names.Length} --label values for {files.Length} --csv files: give one label per file or none.");
            var series = new List<Series>();
            for (int i = 0; i < files.Length; i++)
                foreach (var column in parse.GetValue(y)!)
                {
                    var (xs, ys) = Read(files[i], parse.GetValue(x)!, column);
                    string label = names.Length > 0 ? names[i] : Path.GetFileNameWithoutExtension(files[i]);
                    series.Add(new Series(parse.GetValue(y)!.Length > 1 ? $"{label} {column}" : label, xs, Smooth(ys, parse.GetValue(smooth))));
                }
            Render(series, parse.GetValue(x)!, string.Join(", ", parse.GetValue(y)!), parse.GetValue(title), parse.GetValue(output)!);
            Console.WriteLine($"Wrote {parse.GetValue(output)}");
            return 0;
        }));
        return command;
    }

    /// <summary>One line of the chart.</summary>
    public sealed record Series(string Label, double[] X, double[] Y);

    /// <summary>Reads two columns of a CSV with a header row; errors name the file and column.</summary>
    public static (double[] X, double[] Y) Read(string path, string xColumn, string yColumn)
    {
        if (!File.Exists(path)) throw new CliException($"CSV file '{path}' does not exist.");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2) throw new CliException($"'{path}' has no data rows (a header and at least one row are needed).");
        var header = lines[0].Split(',');
        int Index(string column) => Array.IndexOf(header, column) is var k && k >= 0 ? k
            : throw new CliException($"'{path}' has no column '{column}'; its columns are: {string.Join(", ", header)}.");
        int xi = Index(xColumn), yi = Index(yColumn);
        var xs = new double[lines.Length - 1];
        var ys = new double[lines.Length - 1];
        for (int r = 1; r < lines.Length; r++)
        {
            var cells = lines[r].Split(',');
            if (cells.Length != header.Length || !double.TryParse(cells[xi], CultureInfo.InvariantCulture, out xs[r - 1]) || !double.TryParse(cells[yi], CultureInfo.InvariantCulture, out ys[r - 1]))
                throw new CliException($"'{path}' line {r + 1} is not a row of {header.Length} numbers: '{lines[r]}'.");
        }
        return (xs, ys);
    }

    /// <summary>Trailing moving average over <paramref name="window"/> points.</summary>
    public static double[] Smooth(double[] values, int window)
    {
        if (window <= 1) return values;
        var result = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }

    /// <summary>Draws the series into an 800×500 PNG.</summary>
    public static void Render(IReadOnlyList<Series> series, string xLabel, string yLabel, string? title, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var s in series)
        {
            var line = plot.Add.ScatterLine(s.X, s.Y);
            line.LegendText = s.Label;
        }
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (title is not null) plot.Title(title);
        plot.ShowLegend();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        plot.SavePng(path, 800, 500);
    }
}
