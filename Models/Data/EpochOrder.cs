using Dsl.Models.Data.Augment;

namespace Dsl.Models.Data;

/// <summary>
/// The one seeded shuffle of the data: the order of <c>count</c> indices in an epoch, a pure function
/// of (seed, epoch), so the batch of any step is known without replaying the steps before it.
/// </summary>
public static class EpochOrder
{
    /// <summary>0..count−1 permuted (Fisher–Yates) by a <see cref="SampleRandom"/> drawn from (seed, epoch).</summary>
    public static int[] Shuffled(int count, long seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new SampleRandom(seed, epoch, -1, -1).Shuffle(order.AsSpan());
        return order;
    }
}
