using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// All trainable parameters of one dtype live in ONE contiguous buffer, in declaration order, each
/// parameter a view of its range. A flat optimizer (<c>Concat</c> of the parameters reshaped to
/// rank 1, in that order) then reads the buffer itself instead of copying every parameter, and
/// parameter updates that are consecutive slices of one flat result become one copy: whole-buffer
/// work that per-parameter eager code cannot do.
/// </summary>
internal sealed class FlatParameters : IDisposable
{
    readonly List<TT> buffers = [];
    readonly Dictionary<int, (int Buffer, long Offset)> layout = [];

    /// <summary>Allocates every persistent value (parameters as views of their dtype's buffer) into <paramref name="persistent"/>.</summary>
    public FlatParameters(Graph graph, torch.Device device, Dictionary<int, TT> persistent)
    {
        foreach (var group in graph.Persistent.Where(p => p.Kind == ValueKind.Parameter).GroupBy(p => p.DType))
        {
            long total = group.Sum(p => p.Shape.Numel);
            var buffer = torch.zeros([total], group.Key.ToTorch(), device);
            long offset = 0;
            foreach (var p in group)
            {
                layout[p.Id] = (buffers.Count, offset);
                persistent[p.Id] = buffer.narrow(0, offset, p.Shape.Numel).view(p.Shape.ToLongArray());
                offset += p.Shape.Numel;
            }
            buffers.Add(buffer);
        }
        foreach (var p in graph.Persistent.Where(p => !persistent.ContainsKey(p.Id)))
            persistent[p.Id] = torch.zeros(p.Shape.ToLongArray(), p.DType.ToTorch(), device);
    }

    /// <summary>
    /// Kernels for <c>Concat(0)</c> nodes whose inputs are consecutive parameters reshaped to rank 1:
    /// a view of their range of the buffer (the result aliases the parameters).
    /// </summary>
    public IEnumerable<(Node Node, Kernel Kernel)> ConcatViews(Graph graph)
    {
        foreach (var node in graph.Nodes.Where(n => n.Op is ConcatOp { Axis: 0 } && n.Output.Rank == 1))
        {
            if (Range(node.Inputs.Select(FlattenedParameter).ToArray()) is not var (buffer, start, length)) continue;
            var flat = buffers[buffer];
            yield return (node, (_, _, _) => [flat.narrow(0, start, length)]);
        }
    }

    /// <summary>
    /// Groups of updates that write consecutive parameters from consecutive rank-1 slices of one
    /// value, each as (the value's id, its start, the buffer range to copy into).
    /// </summary>
    public IEnumerable<(int[] Updates, int Source, long SourceStart, TT Target)> FusedUpdates(Graph graph)
    {
        var byTarget = graph.Updates.Select((u, k) => (u, k)).Where(x => layout.ContainsKey(x.u.Target.Id)).ToList();
        foreach (var run in byTarget.GroupBy(x => (Buffer: layout[x.u.Target.Id].Buffer, Source: SliceSource(x.u.Value)?.Source.Id)))
        {
            if (run.Key.Source is not int source) continue;
            var ordered = run.OrderBy(x => layout[x.u.Target.Id].Offset).ToArray();
            long first = layout[ordered[0].u.Target.Id].Offset, sourceStart = SliceSource(ordered[0].u.Value)!.Value.Start;
            long length = 0;
            bool consecutive = true;
            foreach (var (u, _) in ordered)
            {
                var (_, start) = SliceSource(u.Value)!.Value;
                consecutive &= layout[u.Target.Id].Offset == first + length && start == sourceStart + length;
                length += u.Target.Shape.Numel;
            }
            if (consecutive && ordered.Length > 1)
                yield return ([.. ordered.Select(x => x.k)], source, sourceStart, buffers[run.Key.Buffer].narrow(0, first, length));
        }
    }

    /// <summary>The parameter a value flattens (a rank-1 reshape of a parameter), or null.</summary>
    static Tensor? FlattenedParameter(Tensor v)
    {
        if (v.Rank == 1 && v.Producer?.Op is ReshapeOp) v = v.Producer.Inputs[0];   // rank-1 parameters need no reshape
        return v.Kind == ValueKind.Parameter ? v : null;
    }

    /// <summary>(buffer, start, length) when the parameters are consecutive in one buffer.</summary>
    (int, long, long)? Range(Tensor?[] parameters)
    {
        if (parameters.Length == 0 || parameters.Any(p => p is null || !layout.ContainsKey(p.Id))) return null;
        var (buffer, start) = layout[parameters[0]!.Id];
        long length = 0;
        foreach (var p in parameters)
        {
            if (layout[p!.Id] != (buffer, start + length)) return null;
            length += p.Shape.Numel;
        }
        return (buffer, start, length);
    }

    /// <summary>For an update value Reshape(Slice(F, 0, s, s + n)) with F rank 1 and step 1: (F, s).</summary>
    static (Tensor Source, long Start)? SliceSource(Tensor v)
    {
        if (v.Producer?.Op is ReshapeOp) v = v.Producer.Inputs[0];
        return v.Producer?.Op is SliceOp { Axis: 0, Step: 1 } slice && slice.Start >= 0 && v.Producer.Inputs[0].Rank == 1
            ? (v.Producer.Inputs[0], slice.Start)
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var b in buffers) b.Dispose();
        buffers.Clear();
    }
}
