using Dsl.Bench.Rows;
using Dsl.Execution;
using Dsl.Models.Methods;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace Dsl.Bench.Reference;

/// <summary>A ViT classifier by hand: the whole image through the encoder, the class token after the final norm, a linear head, cross-entropy.</summary>
sealed class VitClassifierReference(ReferenceSetup setup, int patch, int heads) : TorchStep(setup)
{
    protected override StepTensors Forward(IReadOnlyDictionary<string, HostTensor> batch)
    {
        var p = Parameters;
        var images = Host.Input(batch, "view1");
        var labels = Host.Input(batch, ClassificationTask.LabelsInput);
        long b = images.shape[0];
        var posEmbed = p["pos_embed"];
        var x = Transformers.PatchEmbed(p, images, "patch_embed", patch);
        x = torch.cat([Transformers.ClassToken(p, b, "cls_token", posEmbed), x + posEmbed.narrow(1, 1, x.shape[1])], 1);
        x = Transformers.LayerNorm(p, "norm", Transformers.Blocks(p, x, "blocks", heads));
        var logits = linear(x.select(1, 0), p["head.weight"], p["head.bias"]);
        return new StepTensors(cross_entropy(logits, labels), null, Losses.Accuracy(logits, labels));
    }
}
