using Dsl.Execution;
using Dsl.Operators;
namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// A test decorator that makes random ops match across backends: each RandomUniform/RandomNormal
/// node becomes a graph input ("__random.&lt;stream&gt;"), and every run feeds it numbers drawn on
/// the host from the node's seed input (i64[2], a graph input), its stream and its shape. The
/// same graph and seed give the same numbers whichever backend is wrapped.
/// </summary>
public sealed class HostRandomBackend(IBackend inner) : IBackend
{
    /// <summary>Prefix of the inputs that replace random nodes.</summary>
    public const string InputPrefix = "__random.";

    /// <inheritdoc/>
    public string Name => inner.Name + "+host-random";

    /// <inheritdoc/>
    public ICompiledGraph Compile(Graph graph)
    {
        var (rewritten, draws) = Rewrite(graph);
        return new Compiled(inner.Compile(rewritten), draws);
    }

    /// <summary>What one random node became: its input's name, its seed input's name and the draw.</summary>
    sealed record Draw(string Input, string Seed, RandomOp Op);

    /// <summary>Copies the graph through its public API, with random nodes replaced by inputs.</summary>
    static (Graph, Draw[]) Rewrite(Graph source)
    {
        var target = new Graph(source.Name);
        var map = new Dictionary<Tensor, Tensor>();
        foreach (var v in source.Values.Where(v => v.Kind != ValueKind.Intermediate))
        {
            map[v] = v.Kind switch
            {
                ValueKind.Input => target.Input(v.Name!, v.Shape, v.DType),
                ValueKind.Parameter => target.Parameter(v.Name!, v.Shape, v.DType),
                ValueKind.Buffer => target.Buffer(v.Name!, v.Shape, v.DType),
                _ => target.State(v.Name!, v.Shape, v.DType),
            };
        }
        var draws = new List<Draw>();
        foreach (var node in source.Nodes)
        {
            if (node.Op is RandomOp random)
            {
                var seed = node.Inputs[0];
                if (seed.Kind != ValueKind.Input)
                    throw new NotSupportedException($"HostRandomBackend: the seed of {node.Op.Describe()} must be a graph input, not {seed}.");
                var name = InputPrefix + random.Stream;
                map[node.Output] = target.Input(name, random.Shape, random.DType);
                draws.Add(new Draw(name, seed.Name!, random));
                continue;
            }
            using var scope = node.Scope.Length > 0 ? target.Scope(node.Scope) : null;
            var outputs = target.Apply(node.Op, [.. node.Inputs.Select(i => map[i])]);
            for (var k = 0; k < outputs.Count; k++)
                map[node.Outputs[k]] = outputs[k];
        }
        foreach (var o in source.Outputs)
            target.Output(o.Name, map[o.Value]);
        foreach (var u in source.Updates)
            target.Update(map[u.Target], map[u.Value]);
        return (target, [.. draws]);
    }

    /// <summary>
    /// Deterministic numbers for one draw: SplitMix64 seeded from (seed, offset, stream); uniform
    /// in [0, 1) from the top 24 bits, normal by Box-Muller.
    /// </summary>
    static HostTensor Generate(RandomOp op, long seed, long offset)
    {
        var state = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)offset * 0xC2B2AE3D27D4EB4FUL ^ (ulong)op.Stream * 0x165667B19E3779F9UL;
        ulong Next()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        float Uniform() => (Next() >> 40) / (float)(1 << 24);
        var values = new float[op.Shape.Numel];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = op is RandomNormalOp
                ? (float)(Math.Sqrt(-2 * Math.Log(1 - (double)Uniform())) * Math.Cos(2 * Math.PI * Uniform()))
                : Uniform();
        }
        return op.DType == DType.Float32
            ? HostTensor.F32(op.Shape, values)
            : HostTensor.F64(op.Shape, [.. values.Select(v => (double)v)]);
    }

    sealed class Compiled(ICompiledGraph inner, Draw[] draws) : ICompiledGraph
    {
        public Graph Graph => inner.Graph;

        public void SetPersistent(string name, HostTensor value) => inner.SetPersistent(name, value);

        public HostTensor GetPersistent(string name) => inner.GetPersistent(name);

        public IReadOnlyDictionary<string, HostTensor> Run(IReadOnlyDictionary<string, HostTensor> inputs)
        {
            if (draws.Length == 0)
                return inner.Run(inputs);
            var feeds = new Dictionary<string, HostTensor>(inputs);
            foreach (var draw in draws)
            {
                if (!inputs.TryGetValue(draw.Seed, out var seed))
                    throw new ArgumentException($"Graph '{Graph.Name}' needs input '{draw.Seed}' (the seed of a random draw); it was not given.");
                feeds[draw.Input] = Generate(draw.Op, (long)seed[0], (long)seed[1]);
            }
            return inner.Run(feeds);
        }

        public void Dispose() => inner.Dispose();
    }
}
