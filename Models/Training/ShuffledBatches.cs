using Dsl.Models.Data;

namespace Dsl.Models.Training;

/// <summary>
/// Labelled batches of flattened images, reshuffled every epoch by a generator seeded with
/// (seed, epoch): the batch of any step is known without replaying earlier ones, so resumed runs
/// see the same data. The last partial batch of an epoch is dropped.
/// </summary>
public sealed class ShuffledBatches : IBatchSource
{
    readonly ImageSplit split;
    readonly int batchSize, seed, count;
    int cachedEpoch = -1;
    int[] order = [];

    /// <summary>Batches of <paramref name="batchSize"/> from the first <paramref name="limit"/> images (all if null).</summary>
    public ShuffledBatches(ImageSplit split, int batchSize, int seed, int? limit = null)
    {
        count = Math.Min(limit ?? split.Count, split.Count);
        if (batchSize <= 0 || count < batchSize)
            throw new ArgumentException($"Need a positive batch size no larger than the {count} images available, got {batchSize}.");
        (this.split, this.batchSize, this.seed) = (split, batchSize, seed);
    }

    /// <summary>Steps in one epoch.</summary>
    public int StepsPerEpoch => count / batchSize;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> Batch(long step)
    {
        int epoch = (int)(step / StepsPerEpoch), within = (int)(step % StepsPerEpoch);
        if (epoch != cachedEpoch)
        {
            order = Enumerable.Range(0, count).ToArray();
            new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);   // HashCode is per-process random: not for seeds
            cachedEpoch = epoch;
        }
        var x = new float[batchSize * split.ImageSize];
        var y = new long[batchSize];
        split.FillBatch(order.AsSpan(within * batchSize, batchSize), x, y);
        return new Dictionary<string, HostTensor>
        {
            [Mlp.ImagesInput] = HostTensor.F32(new Shape(batchSize, split.ImageSize), x),
            [Mlp.LabelsInput] = HostTensor.I64(new Shape(batchSize), y),
        };
    }
}
