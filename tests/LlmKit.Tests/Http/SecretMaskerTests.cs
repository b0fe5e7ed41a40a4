using LlmKit.Http;

namespace LlmKit.Tests.Http;

public class SecretMaskerTests
{
    [Theory]
    [InlineData("connect to http://user:SECRET@host:8080/v1/ failed", "SECRET")]
    [InlineData("https://SECRET@example.com/path", "SECRET")]
    [InlineData("key sk-proj-SECRETSECRETSECRET rejected", "sk-proj-SECRETSECRETSECRET")]
    [InlineData("Authorization: Bearer SECRETTOKEN123", "SECRETTOKEN123")]
    [InlineData("GET https://host/v1/models?key=SECRETVALUE&alt=sse", "SECRETVALUE")]
    [InlineData("GET https://host/x?api-key=SECRETVALUE", "SECRETVALUE")]
    [InlineData("header api-key: SECRETVALUE was refused", "SECRETVALUE")]
    [InlineData("AIzaSyA-SECRETSECRETSECRETSECRET is invalid", "AIzaSyA-SECRETSECRETSECRETSECRET")]
    public void Mask_TextWithCredentialShape_HidesTheSecret(string text, string secret)
    {
        string masked = SecretMasker.Mask(text);

        Assert.DoesNotContain(secret, masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Mask_GivenSecret_IsReplacedWherever()
    {
        Assert.Equal("the key [api key] is wrong", SecretMasker.Mask("the key plain-secret is wrong", "plain-secret"));
    }

    [Fact]
    public void Mask_OrdinaryText_IsUnchanged()
    {
        const string text = "OpenAI returned 400: 'temperature' must be at most 2. Contact support@example.com.";

        Assert.Equal(text, SecretMasker.Mask(text));
    }

    [Fact]
    public void Url_AddressWithUserInfoAndQuery_ShowsSchemeHostPortAndPathOnly()
    {
        Assert.Equal("http://host:8080/v1/", SecretMasker.Url(new Uri("http://user:SECRET@host:8080/v1/?key=K")));
        Assert.Equal("http://host:8080", SecretMasker.Origin(new Uri("http://user:SECRET@host:8080/v1/")));
    }

    [Fact]
    public void ProviderErrorsCreate_ProviderMessageWithUserInfo_MasksIt()
    {
        var ex = ProviderErrors.Create("openai", System.Net.HttpStatusCode.BadGateway, "upstream http://u:SECRET@proxy/ failed", null, null, null, null, null);

        Assert.DoesNotContain("SECRET", ex.Message, StringComparison.Ordinal);
    }
}
