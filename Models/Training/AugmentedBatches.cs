using Dsl.Execution;
using Dsl.Models.Data;

namespace Dsl.Models.Training;

/// <summary>
/// Step-indexed batches of augmented views ("view1", "view2", … as f32 [N, C, H, W]) from a
/// <see cref="BatchLoader"/>: step s is batch s mod (batches per epoch) of epoch s / that, so
/// resumed runs see the same views. While the caller trains on step s, step s+1 is augmented on
/// a background task (batches are deterministic in the step, so prefetching changes nothing).
/// With <paramref name="labels"/>, the batch also holds "labels" (i64 [N]) for supervised tasks.
/// </summary>
public sealed class AugmentedBatches(BatchLoader loader, bool labels = false) : IBatchSource
{
    readonly object gate = new();
    readonly Dictionary<int, int[]> orders = [];
    (long Step, Task<IReadOnlyDictionary<string, HostTensor>> Batch)? prefetched;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> Batch(long step)
    {
        var batch = prefetched is { } p && p.Step == step ? p.Batch.GetAwaiter().GetResult() : Make(step);
        long next = step + 1;
        prefetched = (next, Task.Run(() => Make(next)));
        return batch;
    }

    IReadOnlyDictionary<string, HostTensor> Make(long step)
    {
        int perEpoch = loader.BatchCount;
        int epoch = (int)(step / perEpoch), index = (int)(step % perEpoch);
        int[] order;
        lock (gate)
        {
            if (!orders.TryGetValue(epoch, out order!))
            {
                order = loader.Order(epoch);
                orders.Clear();   // keep only the current epoch's order
                orders[epoch] = order;
            }
        }
        var batch = loader.MakeBatch(epoch, index, order);
        var shape = new Shape(batch.Count, batch.Channels, batch.Height, batch.Width);
        var result = batch.Views.Select((v, i) => (Name: $"view{i + 1}", Value: HostTensor.F32(shape, v)))
            .ToDictionary(p => p.Name, p => p.Value);
        if (labels) result["labels"] = HostTensor.I64(new Shape(batch.Count), batch.Labels);
        return result;
    }
}
