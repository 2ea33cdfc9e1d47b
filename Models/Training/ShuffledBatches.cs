using Dsl.Execution;
using Dsl.Models.Data;

namespace Dsl.Models.Training;

/// <summary>
/// Labelled batches of flattened rows (images as f32 [B, C·H·W], or feature vectors) without
/// augmentation, in the epoch order of <see cref="EpochOrder"/>: the batch of any step is known
/// without replaying earlier ones, so resumed runs see the same data. The last partial batch of an
/// epoch is dropped.
/// </summary>
public sealed class ShuffledBatches : IBatchSource
{
    /// <summary>Name of the f32 [B, C·H·W] input the batches fill.</summary>
    public const string RowsInput = "x";
    /// <summary>Name of the i64 [B] label input the batches fill.</summary>
    public const string LabelsInput = "y";

    readonly ImageDataset data;
    readonly int batchSize, seed, count;
    int cachedEpoch = -1;
    int[] order = [];

    /// <summary>Batches of <paramref name="batchSize"/> from the first <paramref name="limit"/> images (all if null).</summary>
    /// <exception cref="ArgumentException">The batch is not positive or larger than the images available.</exception>
    public ShuffledBatches(ImageDataset data, int batchSize, int seed, int? limit = null)
    {
        count = Math.Min(limit ?? data.Count, data.Count);
        if (batchSize <= 0 || count < batchSize)
            throw new ArgumentException($"Need a positive batch size no larger than the {count} images available, got {batchSize}.");
        (this.data, this.batchSize, this.seed) = (data, batchSize, seed);
    }

    /// <summary>Steps in one epoch.</summary>
    public int StepsPerEpoch => count / batchSize;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> Batch(long step)
    {
        int epoch = (int)(step / StepsPerEpoch), within = (int)(step % StepsPerEpoch);
        if (epoch != cachedEpoch)
        {
            order = EpochOrder.Shuffled(count, seed, epoch);
            cachedEpoch = epoch;
        }
        var x = new float[batchSize * data.ImageSize];
        var y = new long[batchSize];
        data.FillBatch(order.AsSpan(within * batchSize, batchSize), x, y);
        return new Dictionary<string, HostTensor>
        {
            [RowsInput] = HostTensor.F32(new Shape(batchSize, data.ImageSize), x),
            [LabelsInput] = HostTensor.I64(new Shape(batchSize), y),
        };
    }
}
