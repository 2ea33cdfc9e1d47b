using System.Globalization;

namespace Dsl.Models.Evaluation;

/// <summary>
/// The one-line answer to "did pretraining help?" after an evaluation: the pretrained encoder's
/// linear-probe and kNN accuracy against the same encoder at random initialisation and against raw
/// pixels, in percentage points.
/// </summary>
public static class PretrainingVerdict
{
    /// <summary>
    /// "pretraining helped: +x.x probe, +y.y kNN over random init; +z.z probe, +w.w kNN over raw pixels"
    /// when both gains over random init are positive, else "pretraining did not help: …" with the same figures.
    /// </summary>
    public static string Describe(ProbeResult pretrained, ProbeResult randomInit, ProbeResult rawPixels)
    {
        bool helped = pretrained.Probe > randomInit.Probe && pretrained.Knn > randomInit.Knn;
        return $"pretraining {(helped ? "helped" : "did not help")}: {Gains(pretrained, randomInit)} over random init; {Gains(pretrained, rawPixels)} over raw pixels";
    }

    static string Gains(ProbeResult a, ProbeResult b) => $"{Points(a.Probe - b.Probe)} probe, {Points(a.Knn - b.Knn)} kNN";

    static string Points(double fraction) => (fraction * 100).ToString("+0.0;-0.0;+0.0", CultureInfo.InvariantCulture);
}
