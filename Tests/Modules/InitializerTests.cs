using Dsl.Execution;
using Dsl.Tests.Generator.Models;

namespace Dsl.Tests.Modules;

/// <summary>Seeded initialisers follow PyTorch's definitions and are reproducible.</summary>
public class InitializerTests
{
    static double Std(double[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / v.Length);
    }

    [Theory]
    [InlineData(Init.XavierUniform, 0.0625)]         // √(6/(512+1024)), bound of U(-b, b)
    [InlineData(Init.KaimingUniform, 0.10825)]       // √(6/512)
    [InlineData(Init.TorchDefault, 0.044194)]        // 1/√512
    public void Uniform_initialisers_respect_their_bound(Init init, double bound)
    {
        var v = Initializers.Create(init, new Shape(1024, 512), new Random(1)).ToDoubles();
        v.Max().ShouldBeLessThanOrEqualTo(bound * 1.0001);
        v.Min().ShouldBeGreaterThanOrEqualTo(-bound * 1.0001);
        Std(v).ShouldBe(bound / Math.Sqrt(3), bound * 0.01);   // std of U(-b, b)
    }

    [Theory]
    [InlineData(Init.Normal, 0.02)]
    [InlineData(Init.KaimingNormal, 0.0625)]               // √(2/512)
    [InlineData(Init.XavierNormal, 0.036084)]              // √(2/(512+1024))
    public void Normal_initialisers_have_their_std(Init init, double std)
    {
        var v = Initializers.Create(init, new Shape(1024, 512), new Random(2)).ToDoubles();
        v.Average().ShouldBe(0, std * 0.01);
        Std(v).ShouldBe(std, std * 0.01);
    }

    [Fact]
    public void Truncated_normal_stays_within_two_std()
    {
        var v = Initializers.Create(Init.TruncatedNormal, new Shape(256, 256), new Random(3)).ToDoubles();
        v.Max().ShouldBeLessThanOrEqualTo(0.04 + 1e-7);
        v.Min().ShouldBeGreaterThanOrEqualTo(-0.04 - 1e-7);
        Std(v).ShouldBe(0.02 * 0.8796, 0.02 * 0.02);           // std of N(0,1) truncated at ±2
    }

    [Fact]
    public void Model_initialisation_follows_field_attributes_and_the_seed()
    {
        Dictionary<string, HostTensor> Init(int seed)
        {
            var g = new Dsl.Graph("init");
            ModelContext.Build(g, () => new Mlp(8, 16), out var registry);
            return Initializers.Initialize(registry, seed);
        }
        var a = Init(7);
        a.Keys.ShouldBe(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
        a["fc1.bias"].ToDoubles().ShouldAllBe(v => v == 0);                 // [Parameter(Init.Zeros)]
        a["fc1.weight"].ToDoubles().ShouldContain(v => v != 0);            // [Parameter(Init.XavierUniform)]
        Init(7)["fc2.weight"].ToDoubles().ShouldBe(a["fc2.weight"].ToDoubles());
        Init(8)["fc2.weight"].ToDoubles().ShouldNotBe(a["fc2.weight"].ToDoubles());
    }
}
