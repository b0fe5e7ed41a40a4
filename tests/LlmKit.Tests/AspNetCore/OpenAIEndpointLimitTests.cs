using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.AspNetCore;

/// <summary>Per-caller requests and tokens per minute on the fake clock; anonymous access; the host's own authentication.</summary>
public sealed class OpenAIEndpointLimitTests
{
    private const string Hello = """{"model":"smart","messages":[{"role":"user","content":"Hi"}]}""";

    [Fact]
    public async Task Requests_per_minute_of_a_key_give_429_with_retry_after_until_the_window_resets()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], RequestsPerMinute = 2 });
        var other = await host.CreateKeyAsync();
        host.Provider.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key.Key));
        host.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key.Key));
        using (var refused = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(40), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("\"rate_limit_exceeded\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, other.Key));
        host.Time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key.Key));
        Assert.Equal(4, host.Provider.CallCount);
    }

    [Fact]
    public async Task Tokens_per_minute_count_the_tokens_calls_used_and_refuse_once_spent()
    {
        await using var host = await OpenAIEndpointHost.StartAsync();
        var key = await host.CreateKeyAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], TokensPerMinute = 20 });
        host.Provider.FallbackResponder = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            Usage = new UsageDetails { InputTokenCount = 6, OutputTokenCount = 4, TotalTokenCount = 10 },
        };

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key.Key));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key.Key));
        using (var refused = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key.Key)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("\"tokens\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key.Key));
        Assert.Equal(3, host.Provider.CallCount);
    }

    [Fact]
    public async Task Anonymous_callers_are_served_only_when_the_host_allows_it()
    {
        await using var host = await OpenAIEndpointHost.StartAsync(api => { api.AllowAnonymous = true; api.AnonymousTenantId = "public"; });
        LlmRequestContext? seen = null;
        host.Provider.Responds((_, o) =>
        {
            seen = o.GetLlmContext();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
        });

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, key: null));
        Assert.Equal("public", seen?.TenantId);
        Assert.Null(seen?.ApiKeyId);
    }

    [Fact]
    public async Task A_caller_the_host_authenticated_is_mapped_from_its_claims()
    {
        await using var host = await OpenAIEndpointHost.StartAsync(services: s => s
            .AddAuthentication("header")
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("header", null));
        LlmRequestContext? seen = null;
        host.Provider.Responds((_, o) =>
        {
            seen = o.GetLlmContext();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
        });

        var request = OpenAIEndpointHost.Post("v1/chat/completions", Hello, key: null);
        request.Headers.Add("X-Test-User", "ann|globex|chat");
        using var response = await host.Http.SendAsync(request);
        var noTenant = OpenAIEndpointHost.Post("v1/chat/completions", Hello, key: null);
        noTenant.Headers.Add("X-Test-User", "bob||chat");
        var (forbidden, error) = await OpenAIEndpointErrorTests.SendAsync(host, noTenant);
        var embeddingsOnly = OpenAIEndpointHost.Post("v1/chat/completions", Hello, key: null);
        embeddingsOnly.Headers.Add("X-Test-User", "cy|globex|embeddings");
        var (wrongScope, _) = await OpenAIEndpointErrorTests.SendAsync(host, embeddingsOnly);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("globex", "ann"), (seen?.TenantId, seen?.UserId));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Equal("missing_tenant", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, wrongScope);
    }

    private static async Task<HttpStatusCode> StatusAsync(OpenAIEndpointHost host, string? key)
    {
        using var response = await host.Http.SendAsync(OpenAIEndpointHost.Post("v1/chat/completions", Hello, key));
        return response.StatusCode;
    }

    /// <summary>Signs in whoever names themselves in <c>X-Test-User: user|tenant|scopes</c>: the host's own authentication, in miniature.</summary>
    private sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"].ToString() is not { Length: > 0 } header)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            string[] parts = header.Split('|');
            var claims = new List<Claim> { new("sub", parts[0]), new("scope", parts[2]) };
            if (parts[1].Length > 0)
            {
                claims.Add(new Claim("llmkit_tenant", parts[1]));
            }

            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name)));
        }
    }
}
