using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// <c>ablate</c>: runs <c>train</c> in this process for every combination of the <c>--set</c> values and every seed,
/// and writes each run's evaluation as a row of a markdown table (<see cref="AblationTable"/>) as soon as it finishes,
/// so a stopped ablation keeps its rows. Every option of <c>train</c> is accepted and shared by all runs; the whole
/// plan is parsed and checked before the first run.
/// </summary>
static partial class AblateCommand
{
    /// <summary>Options of <c>train</c> that ablate sets itself per run.</summary>
    static readonly string[] OwnedByAblate = ["--seed", "--out", "--resume", "--overwrite"];

    /// <summary>One planned run: what it varies, its seed, its train arguments and settings.</summary>
    sealed record Run(string Configuration, int Seed, string[] Args, TrainSslSettings Settings);

    public static Command Create(Command train, Func<ParseResult, TrainSslSettings> readTrain)
    {
        var set = new Option<string[]>("--set") { Description = "KEY=V1,V2,...: a train option (its name without --) and the values to try, e.g. --set mask-ratio=0.6,0.75; several --set run every combination.", HelpName = "KEY=VALUES" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds every combination runs with, comma-separated (train's --seed).", DefaultValueFactory = _ => "0", HelpName = "S1,S2,..." };
        var table = new Option<string>("--table") { Description = "Markdown file the rows go to (created if missing; other sections and prose are kept).", DefaultValueFactory = _ => "docs/results/ablations.md", HelpName = "FILE" };
        var section = new Option<string>("--section") { Description = "Heading of the table the rows go to (## SECTION), e.g. \"MAE\"; added if missing. A row with the same configuration, seed and common options is replaced.", Required = true, HelpName = "TITLE" };
        var output = new Option<string?>("--out") { Description = "Folder for the runs, one sub-folder per row (checkpoints, loss CSV, evaluation.json). Default: runs/ablate-METHOD-yyyyMMdd-HHmmss.", HelpName = "FOLDER" };
        var skipDone = new Option<bool>("--skip-done") { Description = "Skip the runs whose row the table already holds (same configuration, seed and common options), e.g. to finish a stopped ablation." };
        var command = new Command("ablate", "Runs train for every combination of the --set values and every seed, appending a row per run (probe, kNN, random init, pixels, " +
            "fine-tune, wall time) to a markdown table as soon as it finishes. Accepts every option of train (see 'train --help') but --seed, --out, --resume and --overwrite.");
        Option[] own = [set, seeds, table, section, output, skipDone];
        foreach (var o in own) command.Options.Add(o);
        var shared = train.Options.Where(o => !OwnedByAblate.Contains(o.Name)).ToArray();
        foreach (var o in shared) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var baseArgs = shared.Where(o => parse.GetResult(o) is { Implicit: false }).SelectMany(o => (string[])[o.Name, .. parse.GetResult(o)!.Tokens.Select(t => t.Value)]).ToList();
            var axes = Axes(parse.GetValue(set) ?? [], shared, baseArgs);
            var plan = Plan(train, readTrain, baseArgs, axes, Seeds(parse.GetValue(seeds)!));
            string folder = parse.GetValue(output) ?? RunFolder.NewFor($"ablate-{plan[0].Settings.Method}", DateTime.Now);
            return Execute(plan, train, readTrain, folder, parse.GetValue(table)!, parse.GetValue(section)!, Quote(baseArgs), parse.GetValue(skipDone));
        }));
        return command;
    }

    /// <summary>The varied options in order, each with its values; every key a train option given nowhere else.</summary>
    static List<(string Option, string[] Values)> Axes(string[] sets, Option[] shared, List<string> baseArgs)
    {
        var axes = new List<(string, string[])>();
        foreach (var text in sets)
        {
            int eq = text.IndexOf('=');
            if (eq <= 0 || eq == text.Length - 1)
                throw new CliException($"--set {text}: write KEY=V1,V2,... with a train option as the key, e.g. --set mask-ratio=0.6,0.75.");
            string key = text[..eq].TrimStart('-');
            string name = "--" + key;
            if (name == "--seed") throw new CliException($"--set {text}: seeds are given with --seeds (e.g. --seeds 0,1).");
            if (OwnedByAblate.Contains(name)) throw new CliException($"--set {text}: ablate sets {name} itself for each run; vary another option.");
            if (shared.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name)) is not { } option)
                throw new CliException($"--set {text}: train has no option {name}. Keys are train's option names without --: {string.Join(", ", shared.Select(o => o.Name.TrimStart('-')))}.");
            if (axes.Any(a => a.Item1 == option.Name)) throw new CliException($"--set {text}: {option.Name} is varied by two --set options; give its values in one.");
            if (baseArgs.Contains(option.Name)) throw new CliException($"--set {text}: {option.Name} is also given as a common option; drop one of the two.");
            var values = text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries);
            if (values.Any(v => v.Length == 0)) throw new CliException($"--set {text}: an empty value; separate the values by single commas.");
            axes.Add((option.Name, values));
        }
        return axes;
    }

    static int[] Seeds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var seeds = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out seeds[i]))
                throw new CliException($"--seeds {text}: '{parts[i]}' is not a whole number; give seeds separated by commas, e.g. --seeds 0,1.");
        if (seeds.Distinct().Count() != seeds.Length) throw new CliException($"--seeds {text}: a seed is repeated; give each once.");
        return seeds;
    }

    /// <summary>Every combination × seed, parsed as train would parse it and checked, before anything runs.</summary>
    static List<Run> Plan(Command train, Func<ParseResult, TrainSslSettings> readTrain, List<string> baseArgs, List<(string Option, string[] Values)> axes, int[] seeds)
    {
        IEnumerable<List<(string Option, string Value)>> combinations = [[]];
        foreach (var (option, values) in axes)
            combinations = combinations.SelectMany(c => values.Select(v => (List<(string, string)>)[.. c, (option, v)])).ToList();
        var plan = new List<Run>();
        foreach (var combination in combinations)
        {
            string configuration = combination.Count == 0 ? "base" : string.Join(", ", combination.Select(c => $"{c.Option.TrimStart('-')} {c.Value}"));
            foreach (int seed in seeds)
            {
                string[] args = [.. baseArgs, .. combination.SelectMany(c => new[] { c.Option, c.Value }), "--seed", seed.ToString(CultureInfo.InvariantCulture)];
                var settings = Parse(train, readTrain, args, configuration);
                if (settings.ProbeImages == 0) throw new CliException("--probe-images 0 skips the evaluation whose figures the table records: leave it out or give a positive number.");
                plan.Add(new Run(configuration, seed, args, settings));
            }
        }
        return plan;
    }

    /// <summary>The settings <c>train ARGS</c> would run with; errors name the configuration.</summary>
    static TrainSslSettings Parse(Command train, Func<ParseResult, TrainSslSettings> readTrain, string[] args, string configuration)
    {
        var parse = train.Parse(args);
        if (parse.Errors.Count > 0)
            throw new CliException($"ablate, configuration '{configuration}': {string.Join(" ", parse.Errors.Select(e => CommandRunner.OneLine(e.Message)))}");
        var settings = readTrain(parse);
        try
        {
            TrainSslValidation.CheckSettings(settings);
        }
        catch (CliException e)
        {
            throw new CliException($"ablate, configuration '{configuration}': {e.Message}", e.ExitCode);
        }
        return settings;
    }

    static int Execute(List<Run> plan, Command train, Func<ParseResult, TrainSslSettings> readTrain, string folder, string table, string section, string options, bool skipDone)
    {
        var clock = Stopwatch.StartNew();
        AnsiConsole.MarkupLineInterpolated($"Ablation: {plan.Count} runs of train ({plan.Select(r => r.Configuration).Distinct().Count()} configurations x {plan.Select(r => r.Seed).Distinct().Count()} seeds); runs in {folder}, rows to {table} under '## {section}'.");
        int done = 0;
        for (int i = 0; i < plan.Count; i++)
        {
            var run = plan[i];
            string label = $"run {i + 1}/{plan.Count}: {run.Configuration}, seed {run.Seed}";
            if (skipDone && AblationTable.Contains(table, section, run.Configuration, run.Seed, options))
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]{label}: its row is already in {table}; skipped (--skip-done).[/]");
                continue;
            }
            string output = Path.Combine(folder, Slug(run.Configuration, run.Seed));
            string[] args = [.. run.Args, "--out", output, "--overwrite"];
            AnsiConsole.MarkupLineInterpolated($"[bold]ablate {label}[/] (train {CommandLine(args)})");
            TrainSsl.Outcome outcome;
            try
            {
                outcome = TrainSsl.Train(Parse(train, readTrain, args, run.Configuration), ["train", .. args]);
            }
            catch (CliException e)
            {
                throw new CliException($"ablate, {label}: {e.Message} The rows of the runs before it are in {table}.", e.ExitCode);
            }
            if (outcome.ExitCode != 0 || outcome.Evaluation is not { } evaluation)
            {
                Console.Error.WriteLine($"ablate stopped at {label}; the rows of the runs before it are in {table}. Finish the rest with the same command and --skip-done.");
                return outcome.ExitCode != 0 ? outcome.ExitCode : 1;
            }
            AblationTable.Upsert(table, section, AblationTable.Cells(run.Configuration, run.Seed, evaluation, options));
            done++;
            AnsiConsole.MarkupLineInterpolated($"[green]ablate {label}: probe {evaluation.Pretrained.Probe:P2}, kNN {evaluation.Pretrained.Knn:P2}; row written to {table}.[/]");
        }
        AnsiConsole.MarkupLineInterpolated($"Ablation done: {done} runs in {clock.Elapsed.TotalMinutes:F1} min; table {table}, section '## {section}'.");
        return 0;
    }

    /// <summary>The common options as the table shows them: a command-line fragment in code quotes, or "defaults".</summary>
    static string Quote(IEnumerable<string> args) => CommandLine(args) is { Length: > 0 } text ? $"`{text}`" : "defaults";

    static string CommandLine(IEnumerable<string> args) => string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    /// <summary>A folder name for a row: its configuration and seed in letters, digits, '.', '-' and '_'.</summary>
    static string Slug(string configuration, int seed) =>
        NotSafe().Replace($"{configuration}_seed-{seed}".Replace(", ", "_").Replace(' ', '-'), "_");

    [GeneratedRegex(@"[^A-Za-z0-9._-]")]
    private static partial Regex NotSafe();
}
