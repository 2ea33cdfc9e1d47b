using Dsl.Operators;
using TorchSharp;
using Scalar = TorchSharp.Scalar;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// a ± c·b as one <c>add(a, b, alpha: ±c)</c>, and a ± c·p·q as one <c>addcmul(a, p, q, value: ±c)</c>,
/// where c is a compile-time scalar (a hoisted one-element constant) and the products are read by
/// nothing else: the product tensors are never made. These are the optimizers' moment updates
/// (m·β₁ + (1-β₁)·g, v·β₂ + (1-β₂)·g²), which eager optimizers write with the same two calls.
/// </summary>
/// <param name="Add">The add or sub node; it runs the fused kernel.</param>
/// <param name="AddendIndex">Which input of the node is a, the operand that is not the product.</param>
/// <param name="Factors">b, or p and q.</param>
/// <param name="Alpha">±c.</param>
/// <param name="Skipped">The product nodes that no longer run.</param>
internal sealed record ScaledAdd(Node Add, int AddendIndex, Tensor[] Factors, double Alpha, Node[] Skipped)
{
    readonly Scalar alpha = Alpha.ToScalar();

    /// <summary>The step's inputs: a, then the factors.</summary>
    public Tensor[] Inputs => [Add.Inputs[AddendIndex], .. Factors];

    /// <summary>a + α·b or a + α·p·q into a new tensor.</summary>
    public TT[] Run(Op _, TT[] x, Lowering.KernelContext __) => [Factors.Length == 1 ? x[0].add(x[1], alpha) : x[0].addcmul(x[1], x[2], alpha)];

    /// <summary>The same, written into a (input 0), which dies here.</summary>
    public TT RunInPlace(TT[] x, int _) => Factors.Length == 1 ? x[0].add_(x[1], alpha) : x[0].addcmul_(x[1], x[2], alpha);
}

internal static class ScaledAddFusion
{
    /// <summary>Every fusible add/sub, with the last uses of its factors extended to it.</summary>
    public static List<ScaledAdd> Find(Graph graph, IReadOnlyDictionary<int, TT> constants, int[] lastUse)
    {
        var readers = new int[graph.Values.Count];
        foreach (var node in graph.Nodes)
            foreach (var v in node.Inputs.Distinct()) readers[v.Id]++;
        // A product read only by `reader`, made here and dying there.
        bool Private(Tensor t, Node reader) => t.Producer is { Op: MulOp } && readers[t.Id] == 1 && lastUse[t.Id] == reader.Index;
        double? Scalar(Tensor t) => constants.TryGetValue(t.Id, out var c) && c.numel() == 1 ? c.ToDouble() : null;

        var found = new List<ScaledAdd>();
        var skipped = new HashSet<Node>();
        foreach (var node in graph.Nodes)
        {
            if (node.Op is not (AddOp or SubOp) || node.Inputs[0].Type != node.Output.Type || node.Inputs[1].Type != node.Output.Type) continue;
            for (int side = node.Op is SubOp ? 1 : 0; side < 2; side++)
            {
                var product = node.Inputs[side];
                if (!Private(product, node) || product.Producer is not { } mul || skipped.Contains(mul)) continue;
                int scalarSide = Scalar(mul.Inputs[0]) is not null ? 0 : Scalar(mul.Inputs[1]) is not null ? 1 : -1;
                if (scalarSide < 0) continue;
                var b = mul.Inputs[1 - scalarSide];
                // β·m on optimizer state stays a multiply: it runs in m's own buffer (InPlaceRewrite)
                // and the add then continues there, so the state needs no copy.
                if (b.Type != node.Output.Type || b.Kind == ValueKind.State) continue;
                double alpha = Scalar(mul.Inputs[scalarSide])!.Value * (node.Op is SubOp ? -1 : 1);
                Tensor[] factors = [b];
                Node[] gone = [mul];
                if (Private(b, mul) && b.Producer is { } inner && inner.Inputs.All(f => f.Type == b.Type && Scalar(f) is null))
                {
                    factors = [inner.Inputs[0], inner.Inputs[1]];
                    gone = [mul, inner];
                }
                foreach (var f in factors) lastUse[f.Id] = Math.Max(lastUse[f.Id], node.Index);
                skipped.UnionWith(gone);
                found.Add(new ScaledAdd(node, 1 - side, factors, alpha, gone));
                break;
            }
        }
        return found;
    }
}
