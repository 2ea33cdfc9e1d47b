using Dsl.Execution;
namespace Dsl.Models.Evaluation;

/// <summary>Runs a frozen encoder over images, batch by batch, through one compiled graph.</summary>
public static class Features
{
    /// <summary>
    /// Features [count, dim] of <paramref name="images"/> ([count, C, H, W] row-major). The
    /// <paramref name="build"/> callback declares the encoder in the graph and returns its output for
    /// the given input; <paramref name="parameters"/> are set by name (missing names are an error).
    /// </summary>
    public static (float[] Features, int Dim) Extract(IBackend backend, Func<Graph, Tensor, Tensor> build,
        IReadOnlyDictionary<string, HostTensor> parameters, float[] images, int count, int channels, int height, int width, int batch = 500)
    {
        batch = Math.Min(batch, count);
        var g = new Graph("features");
        var x = g.Input("x", new Shape(batch, channels, height, width));
        var f = build(g, x);
        if (f.Rank != 2) throw new ShapeException($"The encoder must return [N, D] features, got {f.Type}.");
        g.Output("features", f);
        using var compiled = backend.Compile(g);
        foreach (var p in g.Persistent)
        {
            if (!parameters.TryGetValue(p.Name!, out var value))
                throw new KeyNotFoundException($"No value for '{p.Name}': the checkpoint or trainer does not hold this encoder's parameters.");
            compiled.SetPersistent(p.Name!, value);
        }
        int dim = f.Shape[1], size = channels * height * width;
        var result = new float[count * dim];
        var chunk = new float[batch * size];
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            Array.Clear(chunk);
            Array.Copy(images, (long)start * size, chunk, 0, (long)n * size);   // the last batch is padded with zeros
            var o = (float[])compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(x.Shape, chunk) })["features"].Data;
            Array.Copy(o, 0, result, (long)start * dim, (long)n * dim);
        }
        return (result, dim);
    }
}
