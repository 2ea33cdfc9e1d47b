// The samples of docs/writing-models.md. Each trains on the embedded Fashion-MNIST and prints its loss:
//   dotnet run --project samples/WritingModels -- mixer|se-resnet|swish|task [--steps N]
using System.Globalization;
using WritingModels.CustomTask;
using WritingModels.Mixer;
using WritingModels.SeResNet;
using WritingModels.UserOp;

var samples = new Dictionary<string, Func<int, IReadOnlyList<double>>>
{
    ["mixer"] = MixerSample.Train,
    ["se-resnet"] = SeResNetSample.Train,
    ["swish"] = SwishSample.Train,
    ["task"] = LabelSmoothingSample.Train,
};
if (args.Length is not (1 or 3) || !samples.TryGetValue(args[0], out var train) || (args.Length == 3 && args[1] != "--steps"))
{
    Console.Error.WriteLine($"usage: WritingModels <{string.Join("|", samples.Keys)}> [--steps N]");
    return 2;
}
int steps = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60;
var losses = train(steps);
int window = Math.Max(1, Math.Min(10, losses.Count / 4));
Console.WriteLine(FormattableString.Invariant($"loss {losses.Take(window).Average():F4} -> {losses.TakeLast(window).Average():F4} (mean of the first and last {window} steps)"));
return 0;
