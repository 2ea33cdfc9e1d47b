using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch.utils.tensorboard;

namespace Dsl.Cli;

/// <summary>
/// A run's scalar log, written twice: a CSV (<c>NAME.csv</c>, one row per record, for <c>plot</c> and
/// spreadsheets) and TensorBoard event files (<c>tensorboard/NAME/</c>, TorchSharp's SummaryWriter;
/// view with <c>tensorboard --logdir OUT/tensorboard</c>). Rows are flushed as they are written, so
/// an interrupted run keeps its log.
/// </summary>
sealed class RunLog : IDisposable
{
    readonly StreamWriter csv;
    readonly SummaryWriter tensorboard;
    readonly string[] columns;

    /// <summary>Opens (truncates) the CSV <paramref name="name"/>.csv in <paramref name="folder"/> with the header <paramref name="columns"/>.</summary>
    /// <param name="folder">The run's output folder.</param>
    /// <param name="name">File stem and TensorBoard run name.</param>
    /// <param name="columns">The step column first, then the scalars.</param>
    /// <param name="append">Keep the rows of an earlier run (resume) instead of starting over.</param>
    public RunLog(string folder, string name, IReadOnlyList<string> columns, bool append = false)
    {
        Directory.CreateDirectory(folder);
        this.columns = [.. columns];
        Path = System.IO.Path.Combine(folder, name + ".csv");
        bool header = !append || !File.Exists(Path) || new FileInfo(Path).Length == 0;
        csv = new StreamWriter(Path, append) { AutoFlush = true };
        if (header) csv.WriteLine(string.Join(",", columns));
        TensorBoardFolder = System.IO.Path.Combine(folder, "tensorboard", name);
        tensorboard = SummaryWriter(TensorBoardFolder);
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
        for (int i = 0; i < values.Length; i++)
            tensorboard.add_scalar(columns[i + 1], (float)values[i], checked((int)step));
    }

    /// <inheritdoc/>
    public void Dispose() => csv.Dispose();   // TorchSharp's SummaryWriter has no Dispose: it writes each event to the file as it is added
}
