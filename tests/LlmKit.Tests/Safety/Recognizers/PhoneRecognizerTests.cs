using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.Safety;

/// <summary>Phone numbers validated with libphonenumber across regions: region and number type in the finding's detail.</summary>
public class PhoneRecognizerTests
{
    private static SafetyFinding Phone(string text, BuiltInSafetyRecognizer? recognizer = null)
    {
        var findings = new List<SafetyFinding>();
        (recognizer ?? BuiltInSafetyRecognizer.Instance).Analyze(text, findings);
        return Assert.Single(findings, f => f.Type == "PHONE");
    }

    [Theory]
    [InlineData("reach +44 20 7946 0958 today", "+44 20 7946 0958", "GB FIXED_LINE", 0.75)]
    [InlineData("ruf an: +49 1512 3456789.", "+49 1512 3456789", "DE MOBILE", 0.75)]
    [InlineData("dial 0044 20 7946 0958 from Spain", "0044 20 7946 0958", "GB FIXED_LINE", 0.75)]
    [InlineData("Brazil: +55 11 98456 5666", "+55 11 98456 5666", "BR MOBILE", 0.75)]
    public void ValidInternationalNumber_AnyRegion_IsFoundWithRegionAndType(string text, string value, string detail, double score)
    {
        var phone = Phone(text);

        Assert.Equal(value, text.Substring(phone.Start, phone.Length));
        Assert.Equal(detail, phone.Detail);
        Assert.Equal(score, phone.Score, 3);
    }

    [Theory]
    [InlineData("My Japanese number is 090-1234-5678", "090-1234-5678", "JP", "JP MOBILE")]
    [InlineData("My Israeli number is 09-7625400", "09-7625400", "IL", "IL FIXED_LINE")]
    [InlineData("office (415) 555-0132, ask for Jo", "(415) 555-0132", "US", "US FIXED_LINE_OR_MOBILE")]
    public void NationalNumber_IsFoundInEveryRegionAndNamedByThePreferredOne(string text, string value, string region, string detail)
    {
        var anyRegion = Phone(text);
        var preferred = Phone(text, new BuiltInSafetyRecognizer([region]));

        Assert.Equal(value, text.Substring(anyRegion.Start, anyRegion.Length));
        Assert.Equal(0.6, anyRegion.Score, 3);
        Assert.NotNull(anyRegion.Detail);
        Assert.Equal(detail, preferred.Detail);
        Assert.Equal(0.7, preferred.Score, 3);
    }

    [Fact]
    public void PreferredRegion_ScoresHigherThanOtherRegions()
    {
        var gb = new BuiltInSafetyRecognizer(["gb"]);

        Assert.Equal(0.85, Phone("reach +44 20 7946 0958", gb).Score, 3);
        Assert.Equal(0.75, Phone("ruf +49 1512 3456789 an", gb).Score, 3);
    }

    [Fact]
    public void PhoneShapedNumberNoRegionAccepts_NeedsAContextWord()
    {
        // +1 555 is not a North American area code in service, so libphonenumber rejects the number.
        Assert.Equal(0.375, Phone("reach +1 555 010 9999 now").Score, 3);
        Assert.Equal(0.625, Phone("phone: +1 555 010 9999").Score, 3);
        Assert.Null(Phone("phone: +1 555 010 9999").Detail);
    }

    [Fact]
    public void UnknownRegion_IsRejectedByConstructorAndConfiguration()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BuiltInSafetyRecognizer(["GB", "XQ"]));
        Assert.Contains("'XQ'", ex.Message, StringComparison.Ordinal);

        var config = new ConfigurationBuilder().AddInMemoryCollection([new("LlmKit:Safety:PhoneRegions:0", "DE"), new("LlmKit:Safety:PhoneRegions:1", "Germany")]).Build();
        var services = new ServiceCollection();
        services.AddLlmKit(config, kit => kit.AddProvider("echo", _ => new EchoChatClient()));
        using var sp = services.BuildServiceProvider();

        var bad = Assert.Throws<LlmKitConfigurationException>(() => sp.GetRequiredService<IOptions<LlmKitOptions>>().Value);
        Assert.Equal(["LlmKit:Safety:PhoneRegions:1"], bad.Keys);
    }

    [Fact]
    public void ConfiguredRegions_ReachTheGuard()
    {
        var options = new LlmKitOptions();
        options.Safety.PhoneRegions = ["DE"];
        var guard = new SafetyGuard(Options.Create(options), [], [], []);

        Assert.Equal(0.85, Assert.Single(guard.Analyze("ruf +49 1512 3456789 an"), f => f.Type == "PHONE").Score, 3);
    }
}
