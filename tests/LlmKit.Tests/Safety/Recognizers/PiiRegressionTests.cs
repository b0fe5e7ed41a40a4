namespace LlmKit.Tests.Safety;

/// <summary>Regressions from issue 25: values the scanner missed on Presidio's data and in review.</summary>
public class PiiRegressionTests
{
    private static List<SafetyFinding> Scan(string text)
    {
        var findings = new List<SafetyFinding>();
        BuiltInSafetyRecognizer.Instance.Analyze(text, findings);
        return findings;
    }

    private static List<string> Values(string text, string type)
        => [.. Scan(text).Where(f => f.Type == type && f.Score >= 0.5).Select(f => text.Substring(f.Start, f.Length))];

    [Theory]
    [InlineData("cards 4111111111111111 5500000000000004 on file")]
    [InlineData("cards 4111111111111111, 5500000000000004 on file")]
    [InlineData("cards 4111111111111111 and 5500000000000004 on file")]
    public void TwoCards_SeparatedBySpaceCommaOrWord_AreBothFound(string text)
        => Assert.Equal(["4111111111111111", "5500000000000004"], Values(text, "CREDIT_CARD"));

    [Fact]
    public void CardAfterShortNumber_SeparatedBySpace_IsFound()
        => Assert.Equal(["4111111111111111"], Values("item 12 4111111111111111", "CREDIT_CARD"));

    [Theory]
    [InlineData("the gateway (10.0.0.5) is down", "10.0.0.5")]
    [InlineData("gateway(192.168.1.20), retry", "192.168.1.20")]
    public void Ipv4_InParentheses_IsFoundWithoutTheParentheses(string text, string ip)
        => Assert.Equal([ip], Values(text, "IP_ADDRESS"));

    [Fact]
    public void NanpPhone_InParentheses_IsStillAPhone()
        => Assert.Equal(["(212) 555-0143"], Values("phone: (212) 555-0143", "PHONE"));

    [Theory]
    [InlineData("iban de89 3704 0044 0532 0130 00 thanks", "de89 3704 0044 0532 0130 00")]
    [InlineData("iban de89370400440532013000 thanks", "de89370400440532013000")]
    [InlineData("IBAN DE89-3704-0044-0532-0130-00.", "DE89-3704-0044-0532-0130-00")]
    [InlineData("IBAN gb82-west-1234-5698-7654-32", "gb82-west-1234-5698-7654-32")]
    public void Iban_LowerCaseOrDashed_IsFound(string text, string iban)
        => Assert.Equal([iban], Values(text, "IBAN"));

    [Theory]
    [InlineData("de89 3704 0044 0532 0130 01")]
    [InlineData("DE89-3704-0044-0532-0130-01")]
    public void Iban_LowerCaseOrDashedWithWrongCheck_IsNotFound(string text)
        => Assert.Empty(Values(text, "IBAN"));

    [Theory]
    [InlineData("write to info@xn--bcher-kva.example now", "info@xn--bcher-kva.example")]
    [InlineData("write to ivan@xn--d1acpjx3f.xn--p1ai now", "ivan@xn--d1acpjx3f.xn--p1ai")]
    [InlineData("write to anna@bücher.de now", "anna@bücher.de")]
    public void Email_PunycodeOrUnicodeDomain_IsFound(string text, string email)
        => Assert.Equal([email], Values(text, "EMAIL"));

    [Theory]
    [InlineData("write to info@example.xn--42")]
    [InlineData("write to info@example.xn--9")]
    public void Email_BrokenPunycodeTld_IsNotFound(string text)
        => Assert.Empty(Values(text, "EMAIL"));

    [Theory]
    [InlineData("allow 192.168.1.0/24 and 10.0.0.0/8 only", new[] { "192.168.1.0/24", "10.0.0.0/8" })]
    [InlineData("route 10.0.0.0/33 is not a network", new string[0])]
    public void Ipv4Network_InCidrNotation_IsOneAddress(string text, string[] networks)
        => Assert.Equal(networks, Values(text, "IP_ADDRESS"));

    [Fact]
    public void Iban_InMixedCase_IsNotFound()
        => Assert.Empty(Values("LV80 bANK 0000 4351 9500 1", "IBAN"));

    [Theory]
    [InlineData("see www.microsoft today", 0)]
    [InlineData("see www.microsoft.com today", 1)]
    public void WwwUrl_NeedsADotInItsHost(string text, int count)
        => Assert.Equal(count, Values(text, "URL").Count);
}
