using Dsl.Models.Checkpoints;

namespace Dsl.Models.Training;

/// <summary>Settings of a training run.</summary>
/// <param name="BatchSize">Examples per step (the step graph is compiled for it).</param>
/// <param name="Optimizer">Graph optimizer (AdamW, LARS, LAMB, SGD).</param>
/// <param name="Schedule">Learning rate per step.</param>
/// <param name="ClipNorm">Global gradient-norm limit, or null for none.</param>
/// <param name="Seed">Seed of initialisation and of random ops (dropout, masking) in the graph.</param>
public sealed record TrainerOptions(int BatchSize, Optimizer Optimizer, LearningRateSchedule Schedule, double? ClipNorm = null, int Seed = 0);

/// <summary>One step's scalar results.</summary>
/// <param name="Step">The step just taken (0-based).</param>
/// <param name="Loss">Loss before the update.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Metrics">Other scalars the task reports.</param>
public sealed record StepResult(long Step, double Loss, double LearningRate, IReadOnlyDictionary<string, double> Metrics);

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

    /// <summary>Runs one optimizer step on a batch.</summary>
    public StepResult RunStep(IReadOnlyDictionary<string, HostTensor> batch)
    {
        double lr = Options.Schedule.At(Step);
        var inputs = new Dictionary<string, HostTensor>(batch)
        {
            [Optimizer.LearningRateInput] = HostTensor.F32(Shape.Scalar, [(float)lr]),
            [SeedInput] = HostTensor.I64(new Shape(2), [Options.Seed, Step]),
        };
        var outputs = compiled.Run(inputs);
        double loss = outputs["loss"].ToScalar();
        if (!double.IsFinite(loss))
            throw new InvalidOperationException($"The loss became {loss} at step {Step}: lower the learning rate (now {lr:G3}) or enable gradient clipping. The last checkpoint is unaffected.");
        var result = new StepResult(Step, loss, lr, metricNames.ToDictionary(n => n, n => outputs[n].ToScalar()));
        Step++;
        return result;
    }

    /// <summary>Runs steps until <see cref="Step"/> reaches <paramref name="untilStep"/>, reporting each result.</summary>
    public void Fit(IBatchSource source, long untilStep, Action<StepResult>? onStep = null)
    {
        while (Step < untilStep)
        {
            var result = RunStep(source.Batch(Step));
            onStep?.Invoke(result);
        }
    }

    /// <summary>
    /// Writes every persistent value and the step to a safetensors file, atomically, with
    /// <paramref name="metadata"/> (e.g. the run's configuration) added to the header.
    /// </summary>
    public void SaveCheckpoint(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tensors = StepGraph.Persistent.ToDictionary(v => v.Name!, v => compiled.GetPersistent(v.Name!));
        var header = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            ["task"] = Task.Name,
            ["step"] = Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = Options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["batch_size"] = Options.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["optimizer"] = Options.Optimizer.ToString(),
        };
        SafeTensors.Save(path, tensors, header);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> for the same task and optimizer;
    /// nothing is changed if it does not fit.
    /// </summary>
    public void LoadCheckpoint(string path)
    {
        var (tensors, meta) = SafeTensors.Load(path);
        if (meta.TryGetValue("task", out var task) && task != Task.Name)
            throw new CheckpointException(path, $"was written by task '{task}', not '{Task.Name}': pass the matching --method.");
        var expected = StepGraph.Persistent.ToDictionary(v => v.Name!, v => v.Type);
        var missing = expected.Keys.Where(k => !tensors.ContainsKey(k)).ToArray();
        if (missing.Length > 0 && PerParameterState(tensors.Keys) is { } old)
            throw new CheckpointException(path, $"holds optimizer state per parameter (e.g. '{old}'), the layout before the state became one flat buffer per kind (e.g. '{missing[0]}'): " +
                "training cannot resume from it (its model weights still load by name, as probe, knn, export, reconstruct and finetune read them).");
        if (missing.Length > 0)
            throw new CheckpointException(path, $"lacks {missing.Length} values this run needs (e.g. '{missing[0]}'): it was written for another model or optimizer.");
        foreach (var (name, type) in expected)
            if (tensors[name].Type != type)
                throw new CheckpointException(path, $"holds '{name}' as {tensors[name].Type} but the model needs {type}: it was written for another configuration.");
        if (!meta.TryGetValue("step", out var step) || !long.TryParse(step, out var s))
            throw new CheckpointException(path, "has no step in its metadata: it is not a training checkpoint (export files hold weights only).");
        foreach (var name in expected.Keys) compiled.SetPersistent(name, tensors[name]);
        Step = s;
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
