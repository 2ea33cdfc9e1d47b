using Dsl.Models.Data;
using Dsl.Models.Data.Augment;
using Dsl.Models.Training;

namespace Dsl.Tests.Training;

/// <summary>Prefetched, step-indexed augmented batches are the same whatever order steps are asked in.</summary>
public class AugmentedBatchesTests
{
    [Fact]
    public void A_step_gives_the_same_views_with_or_without_prefetching()
    {
        var data = FashionMnist.Load().Test.Take(96);
        BatchLoader Loader() => new(data, new BatchLoaderOptions { BatchSize = 32, Seed = 9, DropLast = true, Workers = 2 },
            AugmentationPipeline.SimClr(28), AugmentationPipeline.SimClr(28));
        var sequential = new AugmentedBatches(Loader());
        var seen = Enumerable.Range(0, 5).Select(s => sequential.Batch(s)).ToArray();   // crosses an epoch (3 batches each)
        var direct = new AugmentedBatches(Loader());
        foreach (int s in new[] { 4, 1, 3 })
        {
            var b = direct.Batch(s);
            b["view1"].ToDoubles().ShouldBe(seen[s]["view1"].ToDoubles());
            b["view2"].ToDoubles().ShouldBe(seen[s]["view2"].ToDoubles());
        }
        seen[0]["view1"].ToDoubles().ShouldNotBe(seen[0]["view2"].ToDoubles());
        seen[0]["view1"].ToDoubles().ShouldNotBe(seen[3]["view1"].ToDoubles());   // next epoch, new draws
    }
}
