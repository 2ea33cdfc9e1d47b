using Dsl;
using Dsl.Models.Blocks;
using WritingModels.Training;

namespace WritingModels.UserOp;

/// <summary>A perceptron with the user op <see cref="SwishOp"/> between its layers.</summary>
[Model]
public partial class SwishMlp
{
    [Module] readonly Linear fc1, fc2;

    /// <summary>28×28 images → <paramref name="hidden"/> → 10 classes.</summary>
    public SwishMlp(int hidden = 64)
    {
        fc1 = new Linear(28 * 28, hidden);
        fc2 = new Linear(hidden, 10);
    }

    /// <summary>Images [B, 1, 28, 28] → logits [B, 10].</summary>
    [Forward]
    public Tensor Forward(Tensor images)
    {
        var x = Ops.Reshape(images, images.Shape[0], 28 * 28);
        return fc2.Forward(UserOps.Swish(fc1.Forward(x)));
    }
}

/// <summary>Trains <see cref="SwishMlp"/> on Backend.Torch with the registered kernel.</summary>
public static class SwishSample
{
    /// <summary>Trains for <paramref name="steps"/> steps; returns the losses.</summary>
    public static IReadOnlyList<double> Train(int steps)
    {
        UserOps.RegisterKernels();
        var task = new ImageClassifierTask("swish_mlp", () => new SwishMlp());
        return SampleTraining.Fit(task, new FashionBatches(32), steps, batchSize: 32, learningRate: 2e-3);
    }
}
