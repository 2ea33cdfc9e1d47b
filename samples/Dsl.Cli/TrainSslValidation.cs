using System.Globalization;
using Dsl.Models.Training;

namespace Dsl.Cli;

/// <summary>
/// The settings of <c>train</c> that cannot work, found before any work (data, graph, training) and reported
/// together, each as a sentence with the fix.
/// </summary>
static class TrainSslValidation
{
    /// <summary>Checks what needs no data; throws one <see cref="CliException"/> listing every problem.</summary>
    public static void CheckSettings(TrainSslSettings s)
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }
        Require(s.Epochs > 0, $"--epochs {s.Epochs}: a run needs at least one pass over the data; use a positive number, e.g. --epochs 10.");
        Require(s.BatchSize > 0, $"--batch-size {s.BatchSize}: a step needs at least one image; use a positive batch size, e.g. --batch-size 128.");
        Require(s.LearningRate > 0 && double.IsFinite(s.LearningRate), $"--lr {Show(s.LearningRate)}: the learning rate must be a positive number, e.g. --lr 2e-3.");
        Require(s.Width > 0, $"--width {s.Width}: the encoder needs at least one channel; use a positive width, e.g. --width 64.");
        Require(s.Projector is not int projector || projector > 0, $"--projector {s.Projector}: the projection head needs at least one unit; use a positive width, e.g. --projector 1024, or leave it out for the default.");
        Require(s.Temperature > 0 && double.IsFinite(s.Temperature), $"--temperature {Show(s.Temperature)}: the NT-Xent temperature must be positive, e.g. --temperature 0.2.");
        Require(s.WeightDecay >= 0 && double.IsFinite(s.WeightDecay), $"--weight-decay {Show(s.WeightDecay)}: weight decay cannot be negative; use 0 to turn it off.");
        Require(s.CropMinScale > 0 && s.CropMinScale <= 1, $"--crop-min-scale {Show(s.CropMinScale)}: the smallest crop is a fraction of the image in (0, 1], e.g. 0.08.");
        Require(s.Method != "mae" || (s.MaskRatio > 0 && s.MaskRatio < 1), $"--mask-ratio {Show(s.MaskRatio)} is outside (0, 1): MAE hides a fraction of the patches, e.g. --mask-ratio 0.75.");
        Require(s.Limit is not int limit || limit > 0, $"--limit {s.Limit}: train on at least one image, or leave --limit out to use them all.");
        Require(s.ProbeImages >= 0, $"--probe-images {s.ProbeImages}: use 0 to skip the evaluation or a positive number of images.");
        Require(s.FinetuneEpochs >= 0, $"--finetune-epochs {s.FinetuneEpochs}: use 0 to skip the fine-tune comparison or a positive number of epochs.");
        Require(s.FinetuneImages is not int images || images > 0, $"--finetune-images {s.FinetuneImages}: fine-tune on at least one image, or leave it out for the default.");
        Require(s.FinetuneLearningRate > 0 && double.IsFinite(s.FinetuneLearningRate), $"--finetune-lr {Show(s.FinetuneLearningRate)}: the learning rate must be a positive number, e.g. --finetune-lr 1e-3.");
        Require(s.FinetuneEpochs == 0 || s.ProbeImages == 0 || s.FinetuneImageCount >= s.BatchSize,
            $"--finetune-images {s.FinetuneImageCount} is fewer than one batch of {s.BatchSize}: fine-tune on at least --batch-size images (--finetune-images, else --probe-images), or pass --finetune-epochs 0.");
        Require(s.Keep >= 1, $"--keep {s.Keep}: keep at least the newest checkpoint (--keep 1 or more).");
        Require(s.BatchSize != 1 || !UsesBatchNorm(s), $"--batch-size 1 with {Describe(s)}: BatchNorm normalises over the batch, so one image gives all-zero features and a meaningless loss; use --batch-size 2 or more.");
        Require(!(s.Overwrite && s.Resume is not null), "--overwrite and --resume contradict each other: --resume continues the run in --out, --overwrite starts it over; pass one.");
        try
        {
            SaveSchedule.Parse(s.SaveEvery, 1);
        }
        catch (FormatException e)
        {
            problems.Add(e.Message);
        }
        if (problems.Count > 0) throw new CliException(string.Join(" ", problems));
    }

    /// <summary>Checks the settings against the loaded data (the MAE configuration is checked as it is built).</summary>
    public static void CheckAgainstData(TrainSslSettings s, CliData data)
    {
        if (s.BatchSize > data.Pretrain.Count)
            throw new CliException($"--batch-size {s.BatchSize} is larger than the {data.Pretrain.Count} training images: lower --batch-size to at most {data.Pretrain.Count}{(s.Limit is null ? "" : " or raise --limit")}.");
        if (s.FinetuneEpochs > 0 && s.ProbeImages > 0 && data.Train.Count < s.BatchSize)
            throw new CliException($"--finetune-epochs {s.FinetuneEpochs} needs a batch of {s.BatchSize} labelled images and the data set has {data.Train.Count}: lower --batch-size or pass --finetune-epochs 0.");
    }

    /// <summary>Barlow Twins' projector, conv-bn and the ResNets hold BatchNorm layers, which need two or more images per batch.</summary>
    static bool UsesBatchNorm(TrainSslSettings s) => s.Method == "barlow" || (s.Method != "mae" && s.Backbone != "conv");

    static string Describe(TrainSslSettings s) => s.Method == "barlow" ? "Barlow Twins (its projector uses BatchNorm)" : $"the {s.Backbone} backbone (it uses BatchNorm)";

    static string Show(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}
