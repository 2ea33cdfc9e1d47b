using Dsl.Execution;
using Dsl.Models.Methods;
using Dsl.Models.Training;

namespace Dsl.Bench.Rows;

/// <summary>The fixed, seeded inputs of the rows: uniform [0, 1) images and uniform labels.</summary>
static class Batches
{
    /// <summary>Flattened images "x" [B, inputs] and labels "y" (the MLP's inputs).</summary>
    public static IReadOnlyDictionary<string, HostTensor> Flat(int batch, int inputs, int classes)
    {
        var rng = new Random(1);
        return new Dictionary<string, HostTensor>
        {
            [ShuffledBatches.RowsInput] = Uniform(rng, new Shape(batch, inputs)),
            [ShuffledBatches.LabelsInput] = Labels(rng, batch, classes),
        };
    }

    /// <summary>Two views "view1", "view2" [B, C, S, S] and labels for the online probe.</summary>
    public static IReadOnlyDictionary<string, HostTensor> TwoViews(int batch, int channels, int size, int classes)
    {
        var rng = new Random(1);
        var shape = new Shape(batch, channels, size, size);
        return new Dictionary<string, HostTensor>
        {
            ["view1"] = Uniform(rng, shape),
            ["view2"] = Uniform(rng, shape),
            [ClassificationTask.LabelsInput] = Labels(rng, batch, classes),
        };
    }

    /// <summary>One view "view1" [B, C, S, S] (MAE).</summary>
    public static IReadOnlyDictionary<string, HostTensor> Images(int batch, int channels, int size) =>
        new Dictionary<string, HostTensor> { [MaeTask.ImagesInput] = Uniform(new Random(1), new Shape(batch, channels, size, size)) };

    /// <summary>Images "view1" and labels (classification).</summary>
    public static IReadOnlyDictionary<string, HostTensor> Classification(int batch, int channels, int size, int classes)
    {
        var rng = new Random(1);
        return new Dictionary<string, HostTensor>
        {
            ["view1"] = Uniform(rng, new Shape(batch, channels, size, size)),
            [ClassificationTask.LabelsInput] = Labels(rng, batch, classes),
        };
    }

    static HostTensor Uniform(Random rng, Shape shape)
    {
        var data = new float[shape.Numel];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextSingle();
        return HostTensor.F32(shape, data);
    }

    static HostTensor Labels(Random rng, int batch, int classes)
    {
        var data = new long[batch];
        for (int i = 0; i < data.Length; i++) data[i] = rng.Next(classes);
        return HostTensor.I64(new Shape(batch), data);
    }
}
