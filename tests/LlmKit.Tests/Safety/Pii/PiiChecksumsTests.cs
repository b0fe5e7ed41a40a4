namespace LlmKit.Tests.Safety;

/// <summary>Expected values are published test numbers (card networks' test cards, the ECBS example IBANs, BIP-13/173/350 addresses, Federal Reserve routing numbers) or hand-computed.</summary>
public class PiiChecksumsTests
{
    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("378282246310005", true)]
    [InlineData("6011111111111117", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("1234567812345678", false)]
    public void Luhn_PublishedTestCards_Validate(string digits, bool valid) => Assert.Equal(valid, PiiChecksums.Luhn(digits));

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("5555555555554444", true)]
    [InlineData("2221000000000009", true)]
    [InlineData("378282246310005", true)]
    [InlineData("9111111111111111", false)]
    [InlineData("41111111111111", false)]
    public void KnownCardIssuer_PrefixAndLength_Recognised(string digits, bool known) => Assert.Equal(known, PiiChecksums.KnownCardIssuer(digits));

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("FR1420041010050500013M02606", true)]
    [InlineData("DE89370400440532013001", false)]
    [InlineData("GB00WEST12345698765432", false)]
    public void IbanMod97_ExampleIbans_Validate(string iban, bool valid) => Assert.Equal(valid, PiiChecksums.IbanMod97(iban));

    [Theory]
    [InlineData('D', 'E', 22)]
    [InlineData('G', 'B', 22)]
    [InlineData('F', 'R', 27)]
    [InlineData('N', 'O', 15)]
    [InlineData('U', 'S', 0)]
    public void IbanLength_Countries_MatchRegistry(char c1, char c2, int length) => Assert.Equal(length, PiiChecksums.IbanLength(c1, c2));

    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", true)]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", true)]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", false)]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", false)]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a", false)]
    public void BitcoinBase58Check_Addresses_ValidateDoubleSha256Checksum(string address, bool valid) => Assert.Equal(valid, PiiChecksums.BitcoinBase58Check(address));

    [Theory]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", true)]
    [InlineData("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", true)]
    [InlineData("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", true)]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", false)]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvaRy0c5xw7kv8f3t4", false)]
    public void BitcoinBech32_Addresses_ValidateBech32AndBech32m(string address, bool valid) => Assert.Equal(valid, PiiChecksums.BitcoinBech32(address));

    [Theory]
    [InlineData("021000021", true)]
    [InlineData("011000015", true)]
    [InlineData("121000358", true)]
    [InlineData("021000022", false)]
    [InlineData("991000021", false)]
    public void AbaRouting_RoutingNumbers_ValidateChecksumAndPrefix(string digits, bool valid) => Assert.Equal(valid, PiiChecksums.AbaRouting(digits));

    [Theory]
    [InlineData("536228145", true)]
    [InlineData("000123456", false)]
    [InlineData("666451234", false)]
    [InlineData("912345678", false)]
    [InlineData("536008145", false)]
    [InlineData("536220000", false)]
    [InlineData("078051120", false)]
    [InlineData("111111111", false)]
    public void ValidUsSsn_Ranges_ExcludeNeverIssuedNumbers(string digits, bool valid) => Assert.Equal(valid, PiiChecksums.ValidUsSsn(digits));
}
