using System.Runtime.CompilerServices;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Dsl.Tests.Support;

/// <summary>
/// Snapshot assertions in Verify's convention: the expected text is committed next to the test as
/// <c>Class.Method.verified.txt</c>; on a mismatch the actual text is written to
/// <c>*.received.txt</c> and the failure shows a line diff. Accept a change by renaming received to
/// verified. Set DSL_ACCEPT_SNAPSHOTS=1 to write missing/changed snapshots directly.
/// </summary>
public static class Snapshot
{
    /// <summary>Compares text with the committed snapshot for the calling test.</summary>
    public static void Verify(string actual, string? name = null, string extension = "txt",
        [CallerFilePath] string file = "", [CallerMemberName] string member = "")
    {
        var dir = Path.GetDirectoryName(file)!;
        var stem = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(file)}.{name ?? member}");
        var verified = $"{stem}.verified.{extension}";
        var received = $"{stem}.received.{extension}";
        actual = actual.Replace("\r\n", "\n");
        bool accept = Environment.GetEnvironmentVariable("DSL_ACCEPT_SNAPSHOTS") == "1";

        if (!File.Exists(verified))
        {
            if (accept) { File.WriteAllText(verified, actual); return; }
            File.WriteAllText(received, actual);
            throw new Xunit.Sdk.XunitException($"No snapshot yet: review {received} and rename it to {Path.GetFileName(verified)}.");
        }
        var expected = File.ReadAllText(verified).Replace("\r\n", "\n");
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (accept) { File.WriteAllText(verified, actual); return; }
        File.WriteAllText(received, actual);
        throw new Xunit.Sdk.XunitException($"Snapshot mismatch for {Path.GetFileName(verified)} (actual written to {Path.GetFileName(received)}):\n{Diff(expected, actual)}");
    }

    /// <summary>A unified-style line diff (- expected, + actual).</summary>
    public static string Diff(string expected, string actual)
    {
        var model = InlineDiffBuilder.Diff(expected, actual);
        return string.Join("\n", model.Lines
            .Where(l => l.Type != ChangeType.Unchanged)
            .Take(60)
            .Select(l => (l.Type == ChangeType.Inserted ? "+ " : l.Type == ChangeType.Deleted ? "- " : "~ ") + l.Text));
    }
}
