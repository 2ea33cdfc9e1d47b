using Dsl.Models.Evaluation;

namespace Dsl.Tests.Evaluation;

public class PretrainingVerdictTests
{
    static ProbeResult R(double probe, double knn) => new(probe, knn, 64, new EvaluationSeconds(0, 0, 0));

    [Fact]
    public void Gains_on_both_measures_over_random_init_say_pretraining_helped_with_the_points()
    {
        PretrainingVerdict.Describe(R(0.8812, 0.8602), R(0.8343, 0.8185), R(0.8400, 0.8659))
            .ShouldBe("pretraining helped: +4.7 probe, +4.2 kNN over random init; +4.1 probe, -0.6 kNN over raw pixels");
    }

    [Fact]
    public void A_loss_on_either_measure_says_pretraining_did_not_help()
    {
        PretrainingVerdict.Describe(R(0.8303, 0.7685), R(0.8406, 0.7962), R(0.8407, 0.8459))
            .ShouldBe("pretraining did not help: -1.0 probe, -2.8 kNN over random init; -1.0 probe, -7.7 kNN over raw pixels");
        PretrainingVerdict.Describe(R(0.85, 0.80), R(0.84, 0.81), R(0.84, 0.80)).ShouldStartWith("pretraining did not help");
    }
}
