using Dsl.Execution;
using Dsl.Models.Checkpoints;

namespace Dsl.Models.Training;

/// <summary>Settings of a training run.</summary>
/// <param name="BatchSize">Examples per step (the step graph is compiled for it).</param>
/// <param name="Optimizer">Graph optimizer (AdamW, LARS, LAMB, SGD).</param>
/// <param name="Schedule">Learning rate per step.</param>
/// <param name="ClipNorm">Global gradient-norm limit, or null for none.</param>
/// <param name="Seed">Seed of initialisation and of random ops (dropout, masking) in the graph.</param>
/// <param name="NonFinite">What a NaN or infinite loss, gradient norm or metric does (default: stop).</param>
public sealed record TrainerOptions(int BatchSize, Optimizer Optimizer, LearningRateSchedule Schedule, double? ClipNorm = null, int Seed = 0,
    NonFinitePolicy NonFinite = NonFinitePolicy.Stop);

/// <summary>One step's scalar results.</summary>
/// <param name="Step">The step just taken (0-based).</param>
/// <param name="Loss">Loss before the update.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Metrics">Other scalars the task reports.</param>
public sealed record StepResult(long Step, double Loss, double LearningRate, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The step's outputs were not finite and its update was dropped (<see cref="NonFinitePolicy.Skip"/>).</summary>
    public bool Skipped { get; init; }
}

/// <summary>
/// The shared training loop: builds ONE step graph (forward, loss, backward, clipping, optimizer
/// update), compiles it once on the chosen backend and replays it. Checkpoints hold every
/// persistent value (parameters, buffers, optimizer state) plus the step, so a resumed run is
/// identical to an uninterrupted one.
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>Name of the i64[2] (seed, step) input that random ops draw from.</summary>
    public const string SeedInput = "seed";

    readonly ICompiledGraph compiled;
    readonly IReadOnlyList<string> metricNames;

    /// <summary>Builds and compiles the step graph and initialises parameters from the seed.</summary>
    public Trainer(IBackend backend, ITrainingTask task, TrainerOptions options)
    {
        Task = task;
        Options = options;
        var graph = new Graph(task.Name + "_step");
        graph.Input(SeedInput, new Shape(2), DType.Int64);
        var built = task.Build(graph, options.BatchSize);
        if (built.Parameters.Count != built.Gradients.Count || built.AuxiliaryCount < 0 || built.AuxiliaryCount > built.Parameters.Count)
            throw new ArgumentException($"Task '{task.Name}' returned {built.Parameters.Count} parameters, {built.Gradients.Count} gradients and {built.AuxiliaryCount} auxiliary ones.");
        // The gradients are flattened once; clipping and the optimizer work on the flat vector.
        var pack = new ParameterPack(built.Parameters);
        var gradient = Flatten(graph, pack, built, options.ClipNorm);
        var lr = Optimizer.DeclareLearningRate(graph);
        options.Optimizer.AddUpdates(graph, pack, gradient, lr);
        graph.Output("loss", built.Loss);
        foreach (var (name, value) in built.Metrics) graph.Output(name, value);
        metricNames = [.. built.Metrics.Keys, .. options.ClipNorm is null ? Array.Empty<string>() : ["grad_norm"]];
        StepGraph = graph;
        compiled = backend.Compile(graph);
        foreach (var (name, value) in task.InitialValues(options.Seed)) compiled.SetPersistent(name, value);
    }

    /// <summary>Name of the scope of the gradient's flattening and clipping in step graphs.</summary>
    public const string GradientScope = "gradient";

    /// <summary>
    /// The flat gradient in pack order, clipped when <paramref name="clipNorm"/> is set: an auxiliary
    /// head is clipped by its own norm, so it cannot scale the model's gradients ("grad_norm" is the model's).
    /// </summary>
    static Tensor Flatten(Graph graph, ParameterPack pack, TrainingGraph built, double? clipNorm)
    {
        using var scope = graph.Scope(GradientScope);
        var gradient = pack.Flatten(pack.Arrange(built.Parameters, built.Gradients));
        if (clipNorm is not double max) return gradient;
        var auxiliary = built.Parameters.Skip(built.Parameters.Count - built.AuxiliaryCount).ToHashSet();
        var (clipped, norms) = GradientClipping.ByGroupNorms(gradient, pack.Ranges(p => auxiliary.Contains(p) ? 1 : 0), max);
        graph.Output("grad_norm", norms[0]);
        return clipped;
    }

    /// <summary>The task being trained.</summary>
    public ITrainingTask Task { get; }
    /// <summary>The run's settings.</summary>
    public TrainerOptions Options { get; }
    /// <summary>The step graph as built (before backend passes).</summary>
    public Graph StepGraph { get; }
    /// <summary>The compiled step (read parameters from it, or copy them to an evaluation graph).</summary>
    public ICompiledGraph Compiled => compiled;
    /// <summary>Steps taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>The model's parameters and buffers as they are now, by name (not the optimizer state).</summary>
    public Dictionary<string, HostTensor> ModelValues() =>
        StepGraph.Persistent.Where(p => p.Kind != ValueKind.State).ToDictionary(p => p.Name!, p => compiled.GetPersistent(p.Name!));

    /// <summary>Steps whose update was dropped because an output was not finite (<see cref="NonFinitePolicy.Skip"/>).</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Factor on the schedule's learning rate (halved by each rollback; saved in checkpoints).</summary>
    public double LearningRateScale { get; set; } = 1;

    /// <summary>The step at which the values became non-finite (they are not saved), or null while they are good.</summary>
    public long? NonFiniteSince { get; private set; }

    /// <summary>
    /// Runs one optimizer step on a batch. A NaN or infinite loss, gradient norm or metric is caught at
    /// this step and handled by <see cref="TrainerOptions.NonFinite"/>.
    /// </summary>
    /// <exception cref="NonFiniteException">An output was not finite and the policy is not <see cref="NonFinitePolicy.Skip"/>.</exception>
    public StepResult RunStep(IReadOnlyDictionary<string, HostTensor> batch)
    {
        double lr = Options.Schedule.At(Step) * LearningRateScale;
        var inputs = new Dictionary<string, HostTensor>(batch)
        {
            [Optimizer.LearningRateInput] = HostTensor.F32(Shape.Scalar, [(float)lr]),
            [SeedInput] = HostTensor.I64(new Shape(2), [Options.Seed, Step]),
        };
        // Skipping needs the values from before the update, which the step overwrites in place.
        var before = Options.NonFinite == NonFinitePolicy.Skip ? PersistentValues() : null;
        var outputs = compiled.Run(inputs);
        double loss = outputs["loss"].ToScalar();
        var metrics = metricNames.ToDictionary(n => n, n => outputs[n].ToScalar());
        var checkedOutputs = new[] { ("loss", loss) }.Concat(metrics.OrderBy(m => m.Key == "grad_norm" ? 0 : 1).Select(m => (m.Key, m.Value)));
        bool skipped = false;
        if (NonFiniteException.FirstNonFinite(checkedOutputs) is { } bad)
        {
            if (before is null)
            {
                NonFiniteSince ??= Step;
                throw new NonFiniteException(Step, lr, bad.Name, bad.Value);
            }
            foreach (var (name, value) in before) compiled.SetPersistent(name, value);
            SkippedSteps++;
            skipped = true;
        }
        var result = new StepResult(Step, loss, lr, metrics) { Skipped = skipped };
        Step++;
        return result;
    }

    /// <summary>Runs steps until <see cref="Step"/> reaches <paramref name="untilStep"/> or <paramref name="stop"/> is cancelled, reporting each result.</summary>
    public void Fit(IBatchSource source, long untilStep, Action<StepResult>? onStep = null, CancellationToken stop = default)
    {
        while (Step < untilStep && !stop.IsCancellationRequested)
        {
            var result = RunStep(source.Batch(Step));
            onStep?.Invoke(result);
        }
    }

    /// <summary>Every persistent value (parameters, buffers, optimizer state) copied to the host, by name.</summary>
    public Dictionary<string, HostTensor> PersistentValues() =>
        StepGraph.Persistent.ToDictionary(v => v.Name!, v => compiled.GetPersistent(v.Name!));

    /// <summary>
    /// Writes every persistent value and the step to a safetensors file, atomically, with
    /// <paramref name="metadata"/> (e.g. the run's configuration) added to the header.
    /// </summary>
    /// <exception cref="NonFiniteException">The values are not finite: a good checkpoint is never overwritten with them.</exception>
    public void SaveCheckpoint(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tensors = PersistentValues();
        if (NonFiniteSince is { } since)
            throw new InvalidOperationException($"The values have not been finite since step {since}: nothing is saved, so the last checkpoint stays good.");
        if (tensors.FirstOrDefault(t => !AllFinite(t.Value)) is { Key: { } name })
            throw new InvalidOperationException($"'{name}' holds NaN or infinite values at step {Step}: nothing is saved, so the last checkpoint stays good.");
        var header = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            ["task"] = Task.Name,
            ["step"] = Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = Options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["batch_size"] = Options.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["optimizer"] = Options.Optimizer.ToString(),
            [LearningRateScaleKey] = LearningRateScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            [SkippedStepsKey] = SkippedSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, tensors, header);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same task and optimizer;
    /// nothing is changed if it does not fit or holds NaN or infinite values (unless
    /// <paramref name="allowNonFinite"/>: a deliberate resume from diverged values, e.g. to inspect them).
    /// </summary>
    public void LoadCheckpoint(string path, bool allowNonFinite = false)
    {
        var (tensors, meta) = SafeTensors.Load(path);
        NonFiniteValues.Require(path, tensors, allowNonFinite);   // a run never resumes from diverged values unawares
        if (meta.TryGetValue("task", out var task) && task != Task.Name)
            throw new CheckpointException(path, $"was written by task '{task}', not '{Task.Name}': pass the matching --method.");
        var expected = StepGraph.Persistent.ToDictionary(v => v.Name!, v => v.Type);
        var missing = expected.Keys.Where(k => !tensors.ContainsKey(k)).ToArray();
        if (missing.Length > 0 && PerParameterState(tensors.Keys) is { } old)
            throw new CheckpointException(path, $"holds optimizer state per parameter (e.g. '{old}'), the layout before the state became one flat buffer per kind (e.g. '{missing[0]}'): " +
                "training cannot resume from it (its model weights still load by name, as probe, knn, export, reconstruct and finetune read them).");
        CheckpointFit.Require(path, StepGraph, tensors, $"this run's model and optimizer ({Task.Name})");
        if (!meta.TryGetValue("step", out var step) || !long.TryParse(step, out var s))
            throw new CheckpointException(path, "has no step in its metadata: it is not a training checkpoint (export files hold weights only).");
        foreach (var name in expected.Keys) compiled.SetPersistent(name, tensors[name]);
        Step = s;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        LearningRateScale = meta.TryGetValue(LearningRateScaleKey, out var scale) ? double.Parse(scale, invariant) : 1;
        SkippedSteps = meta.TryGetValue(SkippedStepsKey, out var skipped) ? long.Parse(skipped, invariant) : 0;
        NonFiniteSince = null;
    }

    /// <summary>Checkpoint metadata key of <see cref="LearningRateScale"/>.</summary>
    public const string LearningRateScaleKey = "lr_scale";

    /// <summary>Checkpoint metadata key of <see cref="SkippedSteps"/>.</summary>
    public const string SkippedStepsKey = "skipped_steps";

    static bool AllFinite(HostTensor t)
    {
        if (t.Data is float[] f)
        {
            foreach (var v in f) if (!float.IsFinite(v)) return false;
        }
        else if (t.Data is double[] d)
        {
            foreach (var v in d) if (!double.IsFinite(v)) return false;
        }
        return true;
    }

    /// <summary>A checkpoint name of the older per-parameter optimizer state ("optim.fc1.weight.exp_avg"), if any.</summary>
    string? PerParameterState(IEnumerable<string> names)
    {
        var prefixes = StepGraph.Parameters.Select(p => $"{Options.Optimizer.StatePrefix}.{p.Name}.").ToArray();
        return names.FirstOrDefault(n => !StepGraph.Contains(n) && prefixes.Any(n.StartsWith));
    }

    /// <inheritdoc/>
    public void Dispose() => compiled.Dispose();
}
