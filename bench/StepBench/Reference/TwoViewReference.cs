using Dsl.Bench.Rows;
using Dsl.Execution;
using Dsl.Models.Methods;
using static TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>
/// SimCLR or Barlow Twins by hand: both views through one encoder and head (batch-norm running
/// statistics updated per view, view 1 first, as the DSL chains them), the loss on the two
/// projections, and the online probe on the detached features of view 1 with its own loss.
/// </summary>
/// <param name="setup">The plan.</param>
/// <param name="encoder">Features of a view: <see cref="ConvNets.ConvEncoder"/> or <see cref="ConvNets.CifarResNet"/>.</param>
/// <param name="head">The projection head.</param>
/// <param name="loss">The method's loss on (z1, z2).</param>
/// <param name="jointViews">Both views through encoder and head as one batch, as SimCLR's reference implementation
/// does (its batch norms then take statistics over both views); false: one call per view (Barlow Twins).</param>
sealed class TwoViewReference(ReferenceSetup setup, Func<TorchParameters, TT, string, TT> encoder,
    Func<TorchParameters, TT, string, TT> head, Func<TT, TT, TT> loss, bool jointViews = false) : TorchStep(setup)
{
    protected override StepTensors Forward(IReadOnlyDictionary<string, HostTensor> batch)
    {
        var p = Parameters;
        TT h1, z1, z2;
        if (jointViews)
        {
            var views = TorchSharp.torch.cat([Host.Input(batch, "view1"), Host.Input(batch, "view2")], 0);
            var h = encoder(p, views, Backbone.Prefix);
            var z = head(p, h, TwoViewTask.HeadPrefix);
            long n = h.shape[0] / 2;
            (h1, z1, z2) = (h[..(int)n], z[..(int)n], z[(int)n..]);
        }
        else
        {
            h1 = encoder(p, Host.Input(batch, "view1"), Backbone.Prefix);
            z1 = head(p, h1, TwoViewTask.HeadPrefix);
            z2 = head(p, encoder(p, Host.Input(batch, "view2"), Backbone.Prefix), TwoViewTask.HeadPrefix);
        }
        var main = loss(z1, z2);
        if (!p.Has($"{TwoViewTask.ProbePrefix}.weight")) return new StepTensors(main);
        var labels = Host.Input(batch, ClassificationTask.LabelsInput);
        var logits = linear(h1.detach(), p[$"{TwoViewTask.ProbePrefix}.weight"], p[$"{TwoViewTask.ProbePrefix}.bias"]);
        var probeLoss = cross_entropy(logits, labels);
        return new StepTensors(main, probeLoss, probeLoss, Losses.Accuracy(logits, labels));
    }
}
