using Dsl.Models.Data;

namespace Dsl.Models.Training;

/// <summary>
/// Step-indexed batches of augmented views ("view1", "view2", … as f32 [N, C, H, W]) from a
/// <see cref="BatchLoader"/>: step s is batch s mod (batches per epoch) of epoch s / that, so
/// resumed runs see the same views.
/// </summary>
public sealed class AugmentedBatches(BatchLoader loader) : IBatchSource
{
    int cachedEpoch = -1;
    int[] order = [];

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> Batch(long step)
    {
        int perEpoch = loader.BatchCount;
        int epoch = (int)(step / perEpoch), index = (int)(step % perEpoch);
        if (epoch != cachedEpoch) (order, cachedEpoch) = (loader.Order(epoch), epoch);
        var batch = loader.MakeBatch(epoch, index, order);
        var shape = new Shape(batch.Count, batch.Channels, batch.Height, batch.Width);
        return batch.Views.Select((v, i) => (Name: $"view{i + 1}", Value: HostTensor.F32(shape, v)))
            .ToDictionary(p => p.Name, p => p.Value);
    }
}
