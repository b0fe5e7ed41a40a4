using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.AspNetCore.OpenAI;

/// <summary>
/// Finds the caller: a user the host's own authentication signed in (claims mapped by <see cref="LlmKitApiOptions"/>),
/// else an LlmKit key in <c>Authorization: Bearer llmk_...</c>, else anonymous when the host allows it.
/// </summary>
internal static class OpenAIAuthenticator
{
    public static async Task<OpenAICaller> AuthenticateAsync(HttpContext context, LlmKitApiOptions options, CancellationToken cancellationToken)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            return FromClaims(context, options);
        }

        string? authorization = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization))
        {
            if (options.AllowAnonymous)
            {
                return new OpenAICaller
                {
                    TenantId = options.AnonymousTenantId,
                    Partition = "anonymous",
                    Scopes = options.HostUserScopes.ToArray(),
                    MaxRequestBodyBytes = options.MaxRequestBodyBytes,
                    MaxMessages = options.MaxMessages,
                    MaxOutputTokens = options.MaxOutputTokens,
                    RequestsPerMinute = options.RequestsPerMinute,
                    TokensPerMinute = options.TokensPerMinute,
                };
            }

            throw Unauthorized("You didn't provide an API key. Send it in the Authorization header as 'Bearer llmk_...'.", "missing_api_key");
        }

        const string Bearer = "Bearer ";
        if (!authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            throw Unauthorized("The Authorization header must read 'Bearer llmk_...'.", "invalid_api_key");
        }

        string key = authorization[Bearer.Length..].Trim();
        var issuer = new ApiKeyIssuer(context.RequestServices.GetRequiredService<IApiKeyStore>(), context.RequestServices.GetService<TimeProvider>());
        var result = await issuer.VerifyAsync(key, cancellationToken).ConfigureAwait(false);
        // The key itself never appears in an error: only its id, and only once the secret matched.
        switch (result.Status)
        {
            case ApiKeyVerificationStatus.Valid:
                break;
            case ApiKeyVerificationStatus.Expired:
                throw Unauthorized($"The API key '{result.Key!.Id}' expired at {result.Key.ExpiresAt:O}. Create a new key.", "expired_api_key");
            case ApiKeyVerificationStatus.Revoked:
                throw Unauthorized($"The API key '{result.Key!.Id}' was revoked. Create a new key.", "revoked_api_key");
            default:
                throw Unauthorized("Incorrect API key provided. Check the key, or create one with 'llmkit keys create'.", "invalid_api_key");
        }

        var record = result.Key!;
        return new OpenAICaller
        {
            TenantId = record.TenantId,
            UserId = record.UserId,
            ApiKeyId = record.Id,
            Partition = "key:" + record.Id,
            Scopes = record.Scopes.ToHashSet(StringComparer.Ordinal),
            AllowedModels = record.AllowedModels,
            MaxRequestBodyBytes = record.MaxRequestBodyBytes ?? options.MaxRequestBodyBytes,
            MaxMessages = record.MaxMessages ?? options.MaxMessages,
            MaxOutputTokens = record.MaxOutputTokens ?? options.MaxOutputTokens,
            RequestsPerMinute = record.RequestsPerMinute ?? options.RequestsPerMinute,
            TokensPerMinute = record.TokensPerMinute ?? options.TokensPerMinute,
        };
    }

    private static OpenAICaller FromClaims(HttpContext context, LlmKitApiOptions options)
    {
        var user = context.User;
        string tenant = user.FindFirst(options.TenantClaimType)?.Value
            ?? throw Forbidden($"The signed-in caller has no '{options.TenantClaimType}' claim, so LlmKit cannot tell which tenant to charge. Add the claim, or set LlmKitApiOptions.TenantClaimType.", "missing_tenant");
        string? userId = options.UserClaimTypes.Select(t => user.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        var scopes = user.FindAll(options.ScopeClaimType)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        if (scopes.Count == 0)
        {
            scopes.UnionWith(options.HostUserScopes);
        }

        var models = user.FindAll(options.ModelsClaimType)
            .SelectMany(c => c.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        return new OpenAICaller
        {
            TenantId = tenant,
            UserId = userId,
            Partition = "user:" + tenant + "/" + userId,
            Scopes = scopes,
            AllowedModels = models,
            MaxRequestBodyBytes = options.MaxRequestBodyBytes,
            MaxMessages = options.MaxMessages,
            MaxOutputTokens = options.MaxOutputTokens,
            RequestsPerMinute = options.RequestsPerMinute,
            TokensPerMinute = options.TokensPerMinute,
        };
    }

    private static OpenAIRequestException Unauthorized(string message, string code) => new(new OpenAIError(401, message, OpenAIError.InvalidRequest, null, code));

    private static OpenAIRequestException Forbidden(string message, string code) => new(new OpenAIError(403, message, "permission_error", null, code));
}
