using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch.utils.tensorboard;

namespace Dsl.Cli;

/// <summary>
/// A run's scalar log, written twice: a CSV (<c>NAME.csv</c>, one row per record, for <c>plot</c> and
/// spreadsheets) and TensorBoard event files (<c>tensorboard/NAME/</c>, TorchSharp's SummaryWriter;
/// view with <c>tensorboard --logdir OUT/tensorboard</c>). CSV rows are flushed as they are written, so
/// an interrupted run keeps its log; a resumed run first drops the rows of steps it will take again. TensorBoard
/// events cannot be removed once written, so they are held back until <see cref="Commit"/> (called when a
/// checkpoint is saved): a resumed run then never writes a step twice to either log, nor leaves one out.
/// </summary>
sealed class RunLog : IDisposable
{
    readonly string[] columns;
    readonly List<(string Tag, float Value, int Step)> pending = [];
    StreamWriter csv;
    SummaryWriter? tensorboard;

    /// <summary>Opens the CSV <paramref name="name"/>.csv in <paramref name="folder"/> with the header <paramref name="columns"/>.</summary>
    /// <param name="folder">The run's output folder.</param>
    /// <param name="name">File stem and TensorBoard run name.</param>
    /// <param name="columns">The step column first, then the scalars.</param>
    /// <param name="fromStep">The first step this run writes: earlier rows of a resumed run are kept, later ones dropped (0: start over).</param>
    public RunLog(string folder, string name, IReadOnlyList<string> columns, long fromStep = 0)
    {
        Directory.CreateDirectory(folder);
        this.columns = [.. columns];
        Path = System.IO.Path.Combine(folder, name + ".csv");
        csv = Open(fromStep);
        TensorBoardFolder = System.IO.Path.Combine(folder, "tensorboard", name);
    }

    /// <summary>The CSV file.</summary>
    public string Path { get; }

    /// <summary>The folder of the TensorBoard event files.</summary>
    public string TensorBoardFolder { get; }

    /// <summary>One row: <paramref name="step"/> and a value per remaining column, in header order.</summary>
    public void Write(long step, params double[] values)
    {
        if (values.Length != columns.Length - 1)
            throw new ArgumentException($"The log has {columns.Length - 1} value columns ({string.Join(",", columns.Skip(1))}) but got {values.Length} values.");
        csv.WriteLine(string.Join(",", [step.ToString(CultureInfo.InvariantCulture), .. values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))]));
        for (int i = 0; i < values.Length; i++) pending.Add((columns[i + 1], (float)values[i], checked((int)step)));
    }

    /// <summary>Writes the held-back TensorBoard events (their steps are now in a checkpoint).</summary>
    public void Commit()
    {
        if (pending.Count == 0) return;
        tensorboard ??= SummaryWriter(TensorBoardFolder);
        foreach (var (tag, value, step) in pending) tensorboard.add_scalar(tag, value, step);
        pending.Clear();
    }

    /// <summary>Forgets every record from <paramref name="step"/> on (a rollback to that step's checkpoint).</summary>
    public void RewindTo(long step)
    {
        csv.Dispose();
        csv = Open(step);
        pending.RemoveAll(p => p.Step >= step);
    }

    /// <summary>The CSV with its header and the rows of steps before <paramref name="fromStep"/>, open for appending.</summary>
    StreamWriter Open(long fromStep)
    {
        var kept = new List<string> { string.Join(",", columns) };
        if (fromStep > 0 && File.Exists(Path))
            kept.AddRange(File.ReadLines(Path).Skip(1).TakeWhile(line => long.TryParse(line.AsSpan(0, Math.Max(0, line.IndexOf(','))), CultureInfo.InvariantCulture, out long s) && s < fromStep));
        string temp = Path + ".tmp";
        File.WriteAllLines(temp, kept);
        File.Move(temp, Path, overwrite: true);
        return new StreamWriter(Path, append: true) { AutoFlush = true };
    }

    /// <inheritdoc/>
    public void Dispose() => csv.Dispose();   // TorchSharp's SummaryWriter has no Dispose: it writes each event to the file as it is added
}
