using System.Globalization;
using System.Text.Json;
using StbImageSharp;
using StbImageWriteSharp;

namespace Dsl.Tests.Cli;

/// <summary>
/// A tiny ablation run once for the tests that read it: MAE on a 2-class folder data set of 16-pixel stripe images
/// (so every run, its evaluation and its fine-tune comparison take seconds), 2 mask ratios x 2 seeds.
/// </summary>
public sealed class TinyAblation : IDisposable
{
    readonly CliProcess.TempFolder dir = new();

    /// <summary>The options every run shares.</summary>
    public static string[] Common(string data) =>
        ["--method", "mae", "--dataset", "folder", "--data", data, "--image-size", "16", "--patch-size", "4", "--epochs", "1", "--batch-size", "16", "--probe-images", "48", "--finetune-epochs", "1"];

    /// <summary>Prose and a table of another section the ablation must keep.</summary>
    public const string Before = "# My ablations\n\nNotes kept as they are.\n\n## Other\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n";

    public TinyAblation()
    {
        StripeImages.Write(dir["data"]);
        File.WriteAllText(Table, Before);
        Run = CliProcess.Run(["ablate", .. Args], timeoutSeconds: 900);
        Run.ExitCode.ShouldBe(0, Run.ToString());
    }

    /// <summary>The ablate arguments (table, section, runs folder, varied options, seeds, common options).</summary>
    public string[] Args => ["--table", Table, "--section", "MAE tiny", "--out", Runs, "--set", "mask-ratio=0.5,0.75", "--seeds", "0,1", .. Common(dir["data"])];

    /// <summary>What the ablation printed.</summary>
    internal CliProcess.Result Run { get; }

    /// <summary>The markdown table file.</summary>
    public string Table => dir["ablations.md"];

    /// <summary>The folder of the ablation's run folders.</summary>
    public string Runs => dir["runs"];

    /// <summary>A scratch path.</summary>
    public string this[string name] => dir[name];

    public void Dispose() => dir.Dispose();
}

/// <summary>Writes a 2-class image folder data set (train/ and test/) of horizontal and vertical stripes with noise.</summary>
static class StripeImages
{
    public static void Write(string root, int trainPerClass = 24, int testPerClass = 12)
    {
        var random = new Random(1);
        var writer = new ImageWriter();
        foreach (var (split, count) in new[] { ("train", trainPerClass), ("test", testPerClass) })
            foreach (var label in new[] { "horizontal", "vertical" })
            {
                Directory.CreateDirectory(Path.Combine(root, split, label));
                for (int n = 0; n < count; n++)
                {
                    var pixels = new byte[16 * 16 * 3];
                    int phase = random.Next(4), period = 2 + random.Next(3);
                    for (int y = 0; y < 16; y++)
                        for (int x = 0; x < 16; x++)
                        {
                            bool on = ((label == "horizontal" ? y : x) + phase) % period == 0;
                            byte v = (byte)Math.Clamp((on ? 200 : 40) + random.Next(-30, 31), 0, 255);
                            for (int c = 0; c < 3; c++) pixels[(y * 16 + x) * 3 + c] = v;
                        }
                    using var file = File.Create(Path.Combine(root, split, label, $"{n}.png"));
                    writer.WritePng(pixels, 16, 16, StbImageWriteSharp.ColorComponents.RedGreenBlue, file);
                }
            }
    }
}

/// <summary>
/// <c>ablate</c> runs train for every combination x seed and writes a row per run as it finishes; <c>charts</c>
/// draws the runs' loss curves and evaluation bars; both refuse bad input before any work.
/// </summary>
public sealed class AblationCliTests(TinyAblation ablation) : IClassFixture<TinyAblation>
{
    /// <summary>The rows of the table under <paramref name="section"/>, as cells.</summary>
    static List<string[]> Rows(string path, string section)
    {
        var lines = File.ReadAllLines(path);
        int start = Array.IndexOf(lines, "## " + section);
        start.ShouldBeGreaterThanOrEqualTo(0, $"section '{section}' in\n{File.ReadAllText(path)}");
        return [.. lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())];
    }

    static double Number(string cell) => double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public void Ablate_writes_one_row_per_configuration_and_seed_with_parseable_figures()
    {
        var rows = Rows(ablation.Table, "MAE tiny");
        rows[0].ShouldBe(["configuration", "seed", "probe %", "kNN %", "random-init probe %", "random-init kNN %", "pixels probe %", "pixels kNN %",
            "fine-tune % (pretrained / random init)", "wall time (s)", "common options"]);
        var body = rows.Skip(2).ToList();
        body.Select(r => (r[0], r[1])).ShouldBe([("mask-ratio 0.5", "0"), ("mask-ratio 0.5", "1"), ("mask-ratio 0.75", "0"), ("mask-ratio 0.75", "1")]);
        foreach (var row in body)
        {
            foreach (var cell in row[2..8]) Number(cell).ShouldBeInRange(0, 100, string.Join(" | ", row));
            var finetune = row[8].Split(" / ");
            finetune.Length.ShouldBe(2, row[8]);
            foreach (var cell in finetune) Number(cell).ShouldBeInRange(0, 100);
            Number(row[9]).ShouldBeGreaterThanOrEqualTo(0);
            row[10].ShouldStartWith("`--method mae --dataset folder");
            row[10].ShouldNotContain("--seed");
            row[10].ShouldNotContain("--mask-ratio");
        }
        ablation.Run.Output.Split('\n').Count(l => l.StartsWith("fine-tuning: pretrained ")).ShouldBe(4);
    }

    [Fact]
    public void Each_row_holds_the_figures_of_its_runs_evaluation_json()
    {
        var body = Rows(ablation.Table, "MAE tiny").Skip(2).ToList();
        var folders = Directory.GetDirectories(ablation.Runs).Order(StringComparer.Ordinal).ToArray();
        folders.Select(Path.GetFileName).ShouldBe(["mask-ratio-0.5_seed-0", "mask-ratio-0.5_seed-1", "mask-ratio-0.75_seed-0", "mask-ratio-0.75_seed-1"]);
        for (int i = 0; i < folders.Length; i++)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folders[i], "evaluation.json")));
            var e = json.RootElement;
            string Percent(JsonElement element, string name) => (element.GetProperty(name).GetDouble() * 100).ToString("F2", CultureInfo.InvariantCulture);
            body[i][2].ShouldBe(Percent(e.GetProperty("pretrained"), "probe"));
            body[i][3].ShouldBe(Percent(e.GetProperty("pretrained"), "knn"));
            body[i][4].ShouldBe(Percent(e.GetProperty("randomInit"), "probe"));
            body[i][7].ShouldBe(Percent(e.GetProperty("rawPixels"), "knn"));
            body[i][8].ShouldBe($"{Percent(e.GetProperty("finetune"), "pretrained")} / {Percent(e.GetProperty("finetune"), "randomInit")}");
            e.GetProperty("finetune").GetProperty("images").GetInt32().ShouldBe(48);
            e.GetProperty("probeImages").GetInt32().ShouldBe(48);
            e.GetProperty("testImages").GetInt32().ShouldBe(24);
            e.GetProperty("settings").GetProperty("seed").GetInt32().ShouldBe(i % 2);
        }
    }

    [Fact]
    public void Random_init_baselines_depend_on_the_seed_only_not_on_what_pretraining_varied()
    {
        var body = Rows(ablation.Table, "MAE tiny").Skip(2).ToList();
        // Random-init probe, kNN and fine-tune, and raw pixels: nothing of these reads the pretrained weights.
        static string Baselines(string[] row) => $"{row[4]} {row[5]} {row[8].Split(" / ")[1]} {row[6]} {row[7]}";
        // Same seed, other mask ratio: the same figures (the random-init rows start from the same weights).
        Baselines(body[2]).ShouldBe(Baselines(body[0]));
        Baselines(body[3]).ShouldBe(Baselines(body[1]));
    }

    [Fact]
    public void Ablate_keeps_the_rest_of_the_file_and_skip_done_runs_nothing_twice()
    {
        File.ReadAllText(ablation.Table).ShouldStartWith(TinyAblation.Before);
        string before = File.ReadAllText(ablation.Table);
        var again = CliProcess.Run(["ablate", .. ablation.Args, "--skip-done"], timeoutSeconds: 300);
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Output.Split('\n').Count(l => l.Contains("skipped (--skip-done)")).ShouldBe(4, again.ToString());
        again.Output.ShouldContain("Ablation done: 0 runs");
        File.ReadAllText(ablation.Table).ShouldBe(before);
    }

    [Theory]
    [InlineData("--set foo=1", "train has no option --foo")]
    [InlineData("--set mask-ratio=abc", "Cannot parse argument 'abc' for option '--mask-ratio'")]
    [InlineData("--set mask-ratio=1.5", "--mask-ratio 1.5 is outside (0, 1)")]
    [InlineData("--set mask-ratio", "write KEY=V1,V2,...")]
    [InlineData("--set seed=1", "seeds are given with --seeds")]
    [InlineData("--set out=x", "ablate sets --out itself")]
    [InlineData("--seeds 0,x", "'x' is not a whole number")]
    [InlineData("--set epochs=1", "--epochs is also given as a common option")]
    [InlineData("--probe-images 0 --set mask-ratio=0.5", "--probe-images 0 skips the evaluation")]
    public void Ablate_refuses_bad_keys_and_values_before_any_run(string options, string message)
    {
        using var dir = new CliProcess.TempFolder();
        string[] common = [.. TinyAblation.Common(dir["data"]).Where((_, i) => i < 12)];   // up to --epochs 1
        var run = CliProcess.Run(["ablate", "--table", dir["t.md"], "--section", "S", "--out", dir["runs"], .. common, .. options.Split(' ')]);
        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.ShouldStartWith("error: ");
        run.Error.ShouldContain(message);
        Directory.EnumerateFileSystemEntries(dir.Path).ShouldBeEmpty("no run started, no table written");
    }

    [Fact]
    public void Charts_draws_the_newest_runs_loss_curve_and_the_accuracy_bars()
    {
        string output = ablation["charts"];
        var run = CliProcess.Run(["charts", "--runs", ablation.Runs, "--out", output]);
        run.ExitCode.ShouldBe(0, run.ToString());
        var newest = Directory.GetDirectories(ablation.Runs).OrderBy(d => File.GetLastWriteTimeUtc(Path.Combine(d, "evaluation.json"))).Last();
        run.Output.ShouldContain($"from {newest}");
        File.ReadAllText(Path.Combine(output, "mae_evaluation.json")).ShouldBe(File.ReadAllText(Path.Combine(newest, "evaluation.json")));
        File.ReadAllText(Path.Combine(output, "mae_loss.csv")).ShouldBe(File.ReadAllText(Path.Combine(newest, "mae_loss.csv")));
        foreach (var (png, width) in new[] { ("mae_loss.png", 800), ("probe_knn.png", 800) })
        {
            var image = ImageResult.FromMemory(File.ReadAllBytes(Path.Combine(output, png)), StbImageSharp.ColorComponents.RedGreenBlue);
            (image.Width, image.Height).ShouldBe((width, 500), png);
            image.Data.Distinct().Count().ShouldBeGreaterThan(10, $"{png} has content");
        }
    }

    [Fact]
    public void Charts_names_a_run_folder_without_an_evaluation()
    {
        using var dir = new CliProcess.TempFolder();
        Directory.CreateDirectory(dir["run"]);
        var run = CliProcess.Run(["charts", "--run", dir["run"], "--runs", dir["none"], "--out", dir["charts"]]);
        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.ShouldContain($"--run {dir["run"]} holds no evaluation.json");
        Directory.Exists(dir["charts"]).ShouldBeFalse();
    }
}
