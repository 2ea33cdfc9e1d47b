namespace Dsl.Bench;

/// <summary>The parsed command line.</summary>
/// <param name="Command">"all", "rows" (named rows), "build" or "list".</param>
/// <param name="Rows">Row names for "rows".</param>
/// <param name="Variant">both, dsl or torch.</param>
/// <param name="Memory">Run each variant of each row in its own child process and report peak RSS.</param>
/// <param name="Counts">Step-count overrides (null: the row's defaults).</param>
/// <param name="Threads">torch intra-op threads (0: libtorch's default).</param>
/// <param name="Results">Results file, "none", or null for bench/results/yyyy-MM-dd.md.</param>
/// <param name="Child">Run by --memory: print one machine-readable result line.</param>
/// <param name="Sgd">Replace each row's optimizer by SGD (momentum 0.9, no weight decay) at the same learning rate.</param>
/// <param name="Nchw">Compile the DSL step with <c>TorchBackend.ChannelsLast</c> off (libtorch's default layout): what the layout choice buys.</param>
sealed record BenchOptions(string Command, IReadOnlyList<string> Rows, string Variant, bool Memory, CountOverrides Counts, int Threads, string? Results, bool Child, bool Sgd = false, bool Nchw = false)
{
    public const string Usage = """
        usage: StepBench all | <row>[,<row>...] | build | list  [options]
          all              time every row (dsl and torch side by side, losses checked first)
          <row>            time the named rows only (see 'list')
          build            graph build and compile time, node counts (ViT depth 6/12/24, ResNet-18/34)
          list             the rows and their default step counts
        options:
          --variant both|dsl|torch   run one variant alone (default both)
          --memory                   each row's variants in separate child processes: peak RSS (VmHWM)
          --check N --warmup N --rounds R --steps N   step counts (default: per row, see 'list')
          --threads T                torch intra-op threads (default: libtorch's)
          --optimizer sgd            SGD (momentum 0.9) instead of each row's AdamW: a loss check without Adam's
                                     amplification of rounding noise
          --nchw                     the DSL step without its channels-last convolution layout (what that layout buys)
          --results PATH|none        where to write the Markdown results (default bench/results/<date>.md)
        """;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0) throw new ArgumentException("no command");
        string first = args[0];
        var o = first switch
        {
            "all" or "build" or "list" => new BenchOptions(first, [], "both", false, new CountOverrides(), 0, null, false),
            _ when first.StartsWith('-') => throw new ArgumentException($"the first argument must be a command or row names, not {first}"),
            _ => new BenchOptions("rows", first.Split(',', StringSplitOptions.RemoveEmptyEntries), "both", false, new CountOverrides(), 0, null, false),
        };
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Count() => int.TryParse(Next(), out int n) && n >= 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a count >= 0");
            o = args[i] switch
            {
                "--variant" => o with { Variant = Next() },
                "--memory" => o with { Memory = true },
                "--check" => o with { Counts = o.Counts with { Check = Count() } },
                "--warmup" => o with { Counts = o.Counts with { Warmup = Count() } },
                "--rounds" => o with { Counts = o.Counts with { Rounds = Count() } },
                "--steps" => o with { Counts = o.Counts with { Steps = Count() } },
                "--threads" => o with { Threads = Count() },
                "--results" => o with { Results = Next() },
                "--child" => o with { Child = true },
                "--nchw" => o with { Nchw = true },
                "--optimizer" => Next() switch
                {
                    "sgd" => o with { Sgd = true },
                    "adamw" => o with { Sgd = false },
                    var name => throw new ArgumentException($"--optimizer must be adamw (the rows' own) or sgd, not {name}"),
                },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.Variant is not ("both" or "dsl" or "torch")) throw new ArgumentException("--variant must be both, dsl or torch");
        if (o.Memory && o.Variant != "both") throw new ArgumentException("--memory runs both variants, each in its own process: drop --variant");
        return o;
    }
}

/// <summary>Step counts given on the command line; null keeps the row's default.</summary>
sealed record CountOverrides(int? Check = null, int? Warmup = null, int? Rounds = null, int? Steps = null)
{
    public Rows.StepCounts Apply(Rows.StepCounts d) => new(Check ?? d.Check, Warmup ?? d.Warmup, Rounds ?? d.Rounds, Steps ?? d.Steps);

    /// <summary>The overrides as command-line options (passed on to child processes).</summary>
    public IEnumerable<string> ToArgs()
    {
        foreach (var (name, value) in new[] { ("--check", Check), ("--warmup", Warmup), ("--rounds", Rounds), ("--steps", Steps) })
            if (value is int n) { yield return name; yield return n.ToString(System.Globalization.CultureInfo.InvariantCulture); }
    }
}
