namespace LlmKit.Tests.Safety;

/// <summary>
/// National identifiers with check digits. Valid values are issuers' published specimens or were checked by hand
/// against the specifications (the sums are in the comments); each invalid one changes a check character.
/// </summary>
public class NationalIdRecognizerTests
{
    private static List<SafetyFinding> Scan(string text)
    {
        var findings = new List<SafetyFinding>();
        BuiltInSafetyRecognizer.Instance.Analyze(text, findings);
        return findings;
    }

    [Theory]
    [InlineData("NI number AB 12 34 56 C please", "UK_NINO", "AB 12 34 56 C")]
    [InlineData("nino: pr 123612c", "UK_NINO", "pr 123612c")]
    [InlineData("ref tw987654a", "UK_NINO", "tw987654a")]
    // 9434765919: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11-2 = 9.
    [InlineData("NHS number 943 476 5919", "UK_NHS", "943 476 5919")]
    // 12345678: 12345678 mod 23 = 14 -> Z.
    [InlineData("DNI 12345678Z", "ES_NIF", "12345678Z")]
    [InlineData("dni 12345678-z ok", "ES_NIF", "12345678-z")]
    // X9613851: 9613851 mod 23 = 12 -> N.
    [InlineData("Mi NIE es X9613851N", "ES_NIE", "X9613851N")]
    [InlineData("NIE y8063915-z.", "ES_NIE", "y8063915-z")]
    // Agenzia delle Entrate's specimen.
    [InlineData("CF RSSMRA85T10A562S grazie", "IT_FISCAL_CODE", "RSSMRA85T10A562S")]
    [InlineData("PAN ABCPD1234Z", "IN_PAN", "ABCPD1234Z")]
    // UIDAI's Verhoeff specimen 2341 2341 2346.
    [InlineData("Aadhaar 2341 2341 2346", "IN_AADHAAR", "2341 2341 2346")]
    // ATO specimen ABN: (5-1)*10+1*1+8*3+2*5+4*7+7*9+5*11+3*13+5*15+5*17+6*19 = 534 = 6*89.
    [InlineData("ABN 51 824 753 556", "AU_ABN", "51 824 753 556")]
    // 876543210: 8*1+7*4+6*3+5*7+4*5+3*8+2*6+1*9+0*10 = 154 = 14*11.
    [InlineData("my TFN is 876 543 210", "AU_TFN", "876 543 210")]
    // 2123 45670 1: 2*1+1*3+2*7+3*9+4*1+5*3+6*7+7*9 = 170; 170 mod 10 = 0 (ninth digit).
    [InlineData("Medicare 2123 45670 1", "AU_MEDICARE", "2123 45670 1")]
    // S2740116: 2*2+7*7+4*6+0*5+1*4+1*3+6*2 = 96; 96 mod 11 = 8 -> C.
    [InlineData("NRIC S2740116C was processed", "SG_NRIC_FIN", "S2740116C")]
    // F2346401: 97 mod 11 = 9 -> L.
    [InlineData("fin f2346401l", "SG_NRIC_FIN", "f2346401l")]
    public void ValidIdentifier_IsFoundWithItsSpan(string text, string type, string value)
    {
        var finding = Assert.Single(Scan(text), f => f.Type == type);

        Assert.Equal(value, text.Substring(finding.Start, finding.Length));
        Assert.True(finding.Score >= 0.5, $"{type} scored {finding.Score}");
    }

    [Theory]
    [InlineData("NI number AB 12 34 56 E please")]
    [InlineData("NI number QQ 12 34 56 C please")]
    [InlineData("NI number BG 12 34 56 C please")]
    [InlineData("NHS number 943 476 5918")]
    [InlineData("DNI 12345678A")]
    [InlineData("Mi NIE es X9613851Q")]
    [InlineData("CF RSSMRA85T10A562T grazie")]
    [InlineData("PAN ABCXD1234Z")]
    [InlineData("Aadhaar 2341 2341 2345")]
    [InlineData("ABN 52 824 753 556")]
    [InlineData("my TFN is 876 543 211")]
    [InlineData("Medicare 2123 25870 1")]
    [InlineData("NRIC S2740116D was processed")]
    public void WrongCheckCharacter_IsNotFound(string text)
        => Assert.DoesNotContain(Scan(text), f => f.Recognizer == "NationalIdRecognizer");

    [Fact]
    public void ContextWord_RaisesScoreTo085()
    {
        Assert.Equal(0.5, Assert.Single(Scan("ref 51824753556"), f => f.Type == "AU_ABN").Score, 3);
        Assert.Equal(0.85, Assert.Single(Scan("ABN 51824753556"), f => f.Type == "AU_ABN").Score, 3);
    }

    [Fact]
    public void NhsChecksumThatIsAlsoAValidPhone_StaysAPhoneWithoutContext()
    {
        // 202 555 0189: 2*10+0*9+2*8+5*7+5*6+5*5+0*4+1*3+8*2 = 145; 145 mod 11 = 2; 11-2 = 9, the last digit: it passes
        // the NHS check by chance, and is also a valid Washington DC number.
        var plain = Scan("call 202 555 0189 today");
        var named = Scan("NHS no. 202 555 0189");

        Assert.Contains(plain, f => f.Type == "PHONE");
        Assert.DoesNotContain(plain, f => f.Type == "UK_NHS");
        Assert.Contains(named, f => f.Type == "UK_NHS" && f.Score >= 0.85);
    }
}
