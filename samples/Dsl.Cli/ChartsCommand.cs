using System.CommandLine;
using System.Globalization;
using ScottPlot;

namespace Dsl.Cli;

/// <summary>
/// <c>charts</c>: regenerates the result charts from the runs themselves: each method's pretraining loss curve (its
/// loss CSV, drawn by <see cref="PlotCommand"/>) and one bar chart of linear probe and kNN accuracy (pretrained / random
/// init / raw pixels, and the fine-tune comparison where a run has one) read from the runs' <c>evaluation.json</c>.
/// Takes the newest finished run of each method under <c>--runs</c>, or the run folders given with <c>--run</c>.
/// </summary>
static class ChartsCommand
{
    /// <summary>The bar chart's file name.</summary>
    public const string BarChart = "probe_knn.png";

    /// <summary>Methods in the order the charts show them.</summary>
    static readonly string[] Order = ["simclr", "barlow", "mae"];

    public static Command Create()
    {
        var runs = new Option<string>("--runs") { Description = "Folder of run folders: for each method, the one whose evaluation.json is newest is charted.", DefaultValueFactory = _ => RunFolder.Root, HelpName = "FOLDER" };
        var run = new Option<string[]>("--run") { Description = "Run folder(s) of 'train' to chart instead of the newest run of their method.", AllowMultipleArgumentsPerToken = true, HelpName = "FOLDER" };
        var output = new Option<string>("--out") { Description = "Folder the charts go to, with a copy of each run's loss CSV and evaluation.json (METHOD_loss.csv, METHOD_evaluation.json).", DefaultValueFactory = _ => "docs/results", HelpName = "FOLDER" };
        var smooth = new Option<int>("--smooth") { Description = "Moving-average window (steps) of the loss curves.", DefaultValueFactory = _ => 20 };
        var command = new Command("charts", $"Regenerates METHOD_loss.png for each method and {BarChart} (linear probe and kNN: pretrained / random init / raw pixels; fine-tuning where run) " +
            "from the runs' loss CSVs and evaluation.json files.");
        foreach (var o in new Option[] { runs, run, output, smooth }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var chosen = Choose(parse.GetValue(runs)!, parse.GetValue(run) ?? []);
            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            foreach (var (path, e) in chosen)
            {
                string csv = Path.Combine(path, e.LossCsv), png = Path.Combine(folder, $"{e.Method}_loss.png");
                var (xs, ys) = PlotCommand.Read(csv, "step", "loss");
                PlotCommand.Render([new PlotCommand.Series($"{e.Title} ({Path.GetFileName(Path.GetFullPath(path))})", xs, PlotCommand.Smooth(ys, parse.GetValue(smooth)))],
                    "step", "loss", $"{e.Title} pretraining loss on {e.Dataset}", png);
                File.Copy(csv, Path.Combine(folder, $"{e.Method}_loss.csv"), overwrite: true);
                File.Copy(Path.Combine(path, TrainEvaluation.FileName), Path.Combine(folder, $"{e.Method}_evaluation.json"), overwrite: true);
                Console.WriteLine($"Wrote {png} from {path}");
            }
            string bars = Path.Combine(folder, BarChart);
            RenderBars([.. chosen.Select(c => c.Evaluation)], bars);
            Console.WriteLine($"Wrote {bars}");
            return 0;
        }));
        return command;
    }

    /// <summary>The runs to chart, one per method: the explicit ones, and for the other methods the newest under <paramref name="root"/>.</summary>
    static List<(string Path, TrainEvaluation Evaluation)> Choose(string root, string[] explicitRuns)
    {
        var chosen = new List<(string Path, TrainEvaluation Evaluation)>();
        foreach (var path in explicitRuns)
        {
            var e = TrainEvaluation.Read(path) ?? throw new CliException(Directory.Exists(path)
                ? $"--run {path} holds no {TrainEvaluation.FileName}: pass the folder of a 'train' run that finished its evaluation (--probe-images above 0)."
                : $"--run {path}: no such folder; pass a run folder of 'train'.");
            if (chosen.Any(c => c.Evaluation.Method == e.Method))
                throw new CliException($"--run {path} is a second {e.Title} run: give one run per method.");
            chosen.Add((path, e));
        }
        if (Directory.Exists(root))
        {
            var newest = Directory.EnumerateDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, TrainEvaluation.FileName)))
                .OrderByDescending(d => File.GetLastWriteTimeUtc(Path.Combine(d, TrainEvaluation.FileName)))
                .Select(d => (Path: d, Evaluation: TrainEvaluation.Read(d)!));
            foreach (var run in newest)
                if (!chosen.Any(c => c.Evaluation.Method == run.Evaluation.Method)) chosen.Add(run);
        }
        if (chosen.Count == 0)
            throw new CliException($"No run to chart: '{root}' holds no run folder with {TrainEvaluation.FileName} (written by 'train' after its evaluation); run 'train' first, or pass --runs or --run.");
        return [.. chosen.OrderBy(c => Array.IndexOf(Order, c.Evaluation.Method) is var k && k >= 0 ? k : Order.Length).ThenBy(c => c.Evaluation.Method)];
    }

    /// <summary>Groups of bars (probe and kNN per method, fine-tuning where run), coloured pretrained / random init / raw pixels.</summary>
    static void RenderBars(IReadOnlyList<TrainEvaluation> runs, string path)
    {
        var plot = new Plot();
        Color[] colors = [plot.Add.Palette.GetColor(0), plot.Add.Palette.GetColor(1), plot.Add.Palette.GetColor(2)];
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        double position = 0;
        void Group(string label, params double[] accuracies)
        {
            for (int i = 0; i < accuracies.Length; i++)
            {
                double percent = accuracies[i] * 100;
                bars.Add(new Bar { Position = position + i, Value = percent, FillColor = colors[i], Label = percent.ToString("F1", CultureInfo.InvariantCulture) });
            }
            ticks.Add(new Tick(position + (accuracies.Length - 1) / 2.0, label));
            position += accuracies.Length + 1;
        }
        foreach (var e in runs)
        {
            Group($"{e.Title}\nlinear probe", e.Pretrained.Probe, e.RandomInit.Probe, e.RawPixels.Probe);
            Group($"{e.Title}\nkNN", e.Pretrained.Knn, e.RandomInit.Knn, e.RawPixels.Knn);
            if (e.Finetune is { } f) Group($"{e.Title}\nfine-tuned", f.Pretrained, f.RandomInit);
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        double lowest = bars.Min(b => b.Value);
        plot.Axes.SetLimitsY(Math.Max(0, Math.Floor((lowest - 5) / 5) * 5), 100);
        plot.YLabel("test accuracy (%)");
        var datasets = runs.Select(e => e.Dataset).Distinct();
        plot.Title($"Pretrained vs random init vs raw pixels ({string.Join(", ", datasets)} test set)");
        string[] names = ["pretrained", "random init", "raw pixels"];
        for (int i = 0; i < names.Length; i++) plot.Legend.ManualItems.Add(new LegendItem { LabelText = names[i], FillColor = colors[i] });
        plot.ShowLegend(Alignment.UpperRight);
        plot.HideGrid();
        plot.SavePng(path, Math.Max(800, (int)position * 45), 500);
    }
}
