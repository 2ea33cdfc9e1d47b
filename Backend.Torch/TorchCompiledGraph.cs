using Dsl.Backend.Torch.Lowering;
using Dsl.Backend.Torch.Plan;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Passes;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch;

/// <summary>
/// A graph compiled to a flat list of TorchSharp calls. Each run feeds inputs, executes the steps
/// under no_grad, disposes every intermediate right after its last use, returns outputs and copies
/// updates into the persistent tensors in place.
/// </summary>
internal sealed class TorchCompiledGraph : ICompiledGraph
{
    readonly torch.Device device;
    readonly KernelContext context;
    readonly Step[] steps;
    readonly Dictionary<int, TT> persistent = [];
    readonly Dictionary<int, TT> constants = [];
    readonly UpdateCopy[] updateCopies;
    readonly HashSet<TT> overwrittenState;
    readonly FlatParameters flat;
    readonly Tensor[] inputs;
    bool disposed;

    /// <summary>One copy into persistent storage after a run: a value (or a range of a rank-1 value) into a target.</summary>
    sealed record UpdateCopy(TT Target, int Source, long Start, long Length, bool CloneFirst);

    sealed record Step(Node Node, Kernel Kernel, int[] Inputs, int[] Outputs, int[] FreeAfter, (int Input, InPlaceKernel Kernel)? InPlace);

    public TorchCompiledGraph(Graph graph, torch.Device device, bool nativeBackward = true, bool channelsLast = false)
    {
        Graph = graph;
        this.device = device;
        context = new KernelContext(device, channelsLast);
        flat = new FlatParameters(graph, device, persistent);
        var kernels = graph.Nodes.Select(n => KernelTable.For(n.Op)).ToArray();
        var persistentViews = new HashSet<int>();
        foreach (var (node, kernel) in flat.ConcatViews(graph))
        {
            kernels[node.Index] = kernel;
            persistentViews.Add(node.Output.Id);
        }
        updateCopies = UpdateCopies(graph, persistentViews);
        var lastUse = Liveness.LastUse(graph);
        foreach (var c in updateCopies) lastUse[c.Source] = Liveness.Forever;
        var hoisted = ConstantHoisting.Find(graph);
        Evaluate(hoisted, kernels);
        var pinned = new HashSet<int>(constants.Keys);
        NativeBackwardGroups = nativeBackward ? NativeBackward.Apply(graph, kernels, lastUse, pinned) : 0;
        var scaledAdds = ScaledAddFusion.Find(graph, constants, lastUse).ToDictionary(f => f.Add);
        var inPlace = InPlaceRewrite.Choose(graph, lastUse, pinned, scaledAdds.ToDictionary(kv => kv.Key, kv => kv.Value.AddendIndex));
        var freedAfter = FreedAfter(graph, lastUse);
        var skipped = hoisted.Concat(scaledAdds.Values.SelectMany(f => f.Skipped)).Select(n => n.Index).ToHashSet();
        steps = graph.Nodes.Where(n => !skipped.Contains(n.Index)).Select(n =>
        {
            var freed = freedAfter[n.Index].Where(id => !constants.ContainsKey(id)).ToArray();
            var outputs = n.Outputs.Select(o => o.Id).ToArray();
            if (!scaledAdds.TryGetValue(n, out var f))
                return new Step(n, kernels[n.Index], n.Inputs.Select(i => i.Id).ToArray(), outputs, freed, inPlace[n.Index]);
            (int, InPlaceKernel)? written = inPlace[n.Index] is null ? null : (0, f.RunInPlace);
            return new Step(n, f.Run, f.Inputs.Select(i => i.Id).ToArray(), outputs, freed, written);
        }).ToArray();
        ScaledAdds = scaledAdds.Count;
        InPlaceSteps = steps.Count(s => s.InPlace is not null);
        // Per value an in-place step wrote, the value whose storage it overwrote.
        var writtenInto = steps.Where(s => s.InPlace is not null).ToDictionary(s => s.Outputs[0], s => s.Inputs[s.InPlace!.Value.Input]);
        updateCopies = [.. updateCopies.Where(c => !AdvancedInPlace(c, writtenInto))];
        overwrittenState = new HashSet<TT>(steps.Where(s => s.InPlace is not null).Select(s => graph.Values[s.Inputs[s.InPlace!.Value.Input]])
            .Where(v => v.IsPersistent).Select(v => persistent[v.Id]), ReferenceEqualityComparer.Instance);
        inputs = [.. graph.Inputs];
        ParameterViews = persistentViews.Count;
    }

    public Graph Graph { get; }

    /// <summary>Concatenations of parameters read as views of the flat parameter buffer.</summary>
    internal int ParameterViews { get; }

    /// <summary>Copies into persistent storage after each run (fused parameter updates count once).</summary>
    internal int UpdateCopyCount => updateCopies.Length;

    /// <summary>Adds of a scaled product run as one add-with-alpha or addcmul (<see cref="ScaledAddFusion"/>).</summary>
    internal int ScaledAdds { get; }

    /// <summary>Nodes that write their result into a dying input.</summary>
    internal int InPlaceSteps { get; }

    /// <summary>Values computed once at compile (constants and ops on constants only).</summary>
    internal int HoistedValues => constants.Count;

    /// <summary>Convolutions whose gradients run through libtorch's native backward.</summary>
    internal int NativeBackwardGroups { get; }

    /// <summary>Test hook, called after each step of a run (memory tests count live tensors there); null, the default, costs nothing.</summary>
    internal Action? AfterEachStep { get; set; }

    public void SetPersistent(string name, HostTensor value)
    {
        var v = CompiledGraphContract.Persistent(Graph, name);
        CompiledGraphContract.CheckAssignable(v, value);
        using var src = value.ToTorch(device);
        using (torch.no_grad()) persistent[v.Id].copy_(src);
    }

    public HostTensor GetPersistent(string name)
    {
        var v = CompiledGraphContract.Persistent(Graph, name);
        return persistent[v.Id].ToHost(v.DType);
    }

    public IReadOnlyDictionary<string, HostTensor> Run(IReadOnlyDictionary<string, HostTensor> inputs)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var slots = new TT?[Graph.Values.Count];
        try
        {
            using var noGrad = torch.no_grad();
            foreach (var (id, t) in persistent) slots[id] = t;
            foreach (var (id, t) in constants) slots[id] = t;
            foreach (var input in this.inputs)
                slots[input.Id] = CompiledGraphContract.Feed(Graph, input, inputs).ToTorch(device);
            foreach (var step in steps)
            {
                Execute(step, slots);
                AfterEachStep?.Invoke();
            }

            var results = new Dictionary<string, HostTensor>();
            foreach (var o in Graph.Outputs) results[o.Name] = slots[o.Value.Id]!.ToHost(o.Value.DType);

            // Updates may read views of persistent tensors: clone those before any copy.
            var sources = new TT[updateCopies.Length];
            for (int k = 0; k < sources.Length; k++)
            {
                var c = updateCopies[k];
                var value = slots[c.Source]!;
                sources[k] = c.Length < 0 ? value : value.narrow(0, c.Start, c.Length);
                if (c.CloneFirst) sources[k] = sources[k].clone();
            }
            for (int k = 0; k < sources.Length; k++)
            {
                updateCopies[k].Target.copy_(sources[k]);
                if (!ReferenceEquals(sources[k], slots[updateCopies[k].Source])) sources[k].Dispose();
            }
            return results;
        }
        finally
        {
            for (int id = 0; id < slots.Length; id++)
                if (slots[id] is { } t && !Graph.Values[id].IsPersistent && !constants.ContainsKey(id) && !IsOverwrittenState(t)) t.Dispose();
        }
    }

    void Execute(Step step, TT?[] slots)
    {
        var args = new TT[step.Inputs.Length];
        for (int i = 0; i < args.Length; i++) args[i] = slots[step.Inputs[i]]!;
        TT[] outs;
        long started = OpProfile.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        try
        {
            outs = step.InPlace is { } inPlace ? [inPlace.Kernel(args, inPlace.Input)] : step.Kernel(step.Node.Op, args, context);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string scope = step.Node.Scope.Length > 0 ? $" in {step.Node.Scope}" : "";
            throw new InvalidOperationException($"Backend.Torch failed at node {step.Node.Index} {step.Node.Op.Describe()}{scope}: {e.Message}", e);
        }
        if (OpProfile.Enabled) OpProfile.Record(step.Node.Op.Name, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        // The overwritten input's tensor now belongs to the output: drop its slot without disposing it.
        if (step.InPlace is { } written) slots[step.Inputs[written.Input]] = null;
        for (int k = 0; k < outs.Length; k++) slots[step.Outputs[k]] = outs[k];
        foreach (var id in step.FreeAfter)
        {
            if (slots[id] is { } t && !IsOverwrittenState(t)) t.Dispose();
            slots[id] = null;
        }
    }

    /// <summary>True for an update whose value was computed in its target's own buffer by in-place steps (optimizer state): no copy is needed.</summary>
    bool AdvancedInPlace(UpdateCopy c, IReadOnlyDictionary<int, int> writtenInto)
    {
        if (c.Length >= 0 || c.CloneFirst) return false;
        int id = c.Source;
        while (writtenInto.TryGetValue(id, out int overwritten)) id = overwritten;
        return persistent.TryGetValue(id, out var t) && ReferenceEquals(t, c.Target);
    }

    /// <summary>True for a state tensor that a value holds after an op overwrote it in place: the run must not dispose it.</summary>
    bool IsOverwrittenState(TT t) => overwrittenState.Contains(t);

    /// <summary>Computes the hoisted nodes once, keeping their results for every run.</summary>
    void Evaluate(List<Node> hoisted, Kernel[] kernels)
    {
        using var noGrad = torch.no_grad();
        foreach (var node in hoisted)
        {
            var outs = kernels[node.Index](node.Op, node.Inputs.Select(i => constants[i.Id]).ToArray(), context);
            for (int k = 0; k < outs.Length; k++) constants[node.Outputs[k].Id] = outs[k];
        }
    }

    /// <summary>Per node, the intermediates to free after it: those it reads last, or makes and nothing reads.</summary>
    static List<int>[] FreedAfter(Graph graph, int[] lastUse)
    {
        var freed = graph.Nodes.Select(_ => new List<int>()).ToArray();
        foreach (var node in graph.Nodes)
            foreach (var v in node.Outputs)
                if (lastUse[v.Id] != Liveness.Forever) freed[Math.Max(lastUse[v.Id], node.Index)].Add(v.Id);
        return freed;
    }

    /// <summary>The copies after a run: consecutive parameter updates from one flat value as one copy, the rest one each.</summary>
    UpdateCopy[] UpdateCopies(Graph graph, HashSet<int> persistentViews)
    {
        var copies = new List<UpdateCopy>();
        var fused = new HashSet<int>();
        foreach (var (updates, source, start, target) in flat.FusedUpdates(graph))
        {
            copies.Add(new UpdateCopy(target, source, start, target.shape[0], AliasesPersistent(graph.Values[source], persistentViews)));
            fused.UnionWith(updates);
        }
        for (int k = 0; k < graph.Updates.Count; k++)
        {
            if (fused.Contains(k)) continue;
            var u = graph.Updates[k];
            copies.Add(new UpdateCopy(persistent[u.Target.Id], u.Value.Id, 0, -1, AliasesPersistent(u.Value, persistentViews)));
        }
        return [.. copies];
    }

    /// <summary>True if a value may share storage with a persistent tensor (a view chain from one).</summary>
    static bool AliasesPersistent(Tensor v, HashSet<int> persistentViews)
    {
        while (true)
        {
            if (v.IsPersistent || persistentViews.Contains(v.Id)) return true;
            if (v.Producer?.Op is not (ReshapeOp or ExpandOp or PermuteOp or SliceOp or StopGradientOp)) return false;
            v = v.Producer.Inputs[0];
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in persistent.Values.Concat(constants.Values)) t.Dispose();
        foreach (var c in updateCopies.Where(c => c.Length >= 0)) c.Target.Dispose();   // fused updates' buffer views
        flat.Dispose();
        persistent.Clear();
        constants.Clear();
    }
}
