using Dsl;
using Dsl.Execution;
using Dsl.Models.Data;
using Dsl.Models.Training;

namespace WritingModels.Training;

/// <summary>
/// Batches of the embedded Fashion-MNIST (the repository's data/ folder): images f32 [B, 1, 28, 28]
/// in [0, 1] and labels i64 [B], cycling through the first <c>pool</c> training images in a
/// seeded order.
/// </summary>
public sealed class FashionBatches : IBatchSource
{
    /// <summary>Name of the image input.</summary>
    public const string Images = "images";
    /// <summary>Name of the label input.</summary>
    public const string Labels = "labels";

    readonly ImageDataset split;
    readonly int[] order;
    readonly int batchSize;

    /// <summary>Batches of <paramref name="batchSize"/> from the training split (or the test split).</summary>
    public FashionBatches(int batchSize, int pool = 2048, int seed = 0, bool test = false)
    {
        var data = FashionMnist.Load();
        split = test ? data.Test : data.Train;
        this.batchSize = batchSize;
        order = EpochOrder.Shuffled(Math.Min(pool, split.Count), seed, epoch: 0);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> Batch(long step)
    {
        var indices = Enumerable.Range(0, batchSize).Select(i => order[(int)((step * batchSize + i) % order.Length)]).ToArray();
        var x = new float[batchSize * split.ImageSize];
        var y = new long[batchSize];
        split.FillBatch(indices, x, y);
        return new Dictionary<string, HostTensor>
        {
            [Images] = HostTensor.F32(new Shape(batchSize, 1, split.Height, split.Width), x),
            [Labels] = HostTensor.I64(new Shape(batchSize), y),
        };
    }
}
