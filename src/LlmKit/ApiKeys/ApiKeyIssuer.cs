using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LlmKit;

/// <summary>
/// Creates and verifies LlmKit API keys over an <see cref="IApiKeyStore"/>. A key reads <c>llmk_{id}_{secret}</c>: the
/// id (16 hexadecimal characters) finds the stored record, the secret (32 random bytes, base64url) is checked against
/// its salted SHA-256 hash in constant time. The secret has 256 bits of entropy, so one salted hash (not a slow password
/// hash) is enough to make a leaked store useless.
/// </summary>
public sealed class ApiKeyIssuer
{
    /// <summary>The prefix every LlmKit key starts with: <c>llmk_</c>.</summary>
    public const string KeyPrefix = "llmk_";

    private const int IdLength = 16;
    private const int SaltLength = 16;
    private const int SecretLength = 32;
    private static readonly byte[] DummySalt = new byte[SaltLength];
    private static readonly byte[] DummyHash = new byte[32];

    private readonly IApiKeyStore _store;
    private readonly TimeProvider _time;

    /// <summary>Creates an issuer over a store.</summary>
    /// <param name="store">Where keys are kept.</param>
    /// <param name="timeProvider">The clock for creation, expiry and revocation times; the system clock by default.</param>
    public ApiKeyIssuer(IApiKeyStore store, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The store keys are kept in.</summary>
    public IApiKeyStore Store => _store;

    /// <summary>Creates a key, stores its salted hash, and returns the key (the only time it is available).</summary>
    /// <param name="options">The tenant, scopes, models, expiry and limits of the key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key and its stored record.</returns>
    /// <exception cref="ArgumentException">No tenant, no scope, an unknown scope, or a limit below one.</exception>
    public Task<IssuedApiKey> CreateAsync(ApiKeyCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        string secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretLength));
        return StoreAsync(id, secret, options, cancellationToken);
    }

    /// <summary>
    /// Stores a key the host chose itself, for example a bootstrap admin key read from an environment variable so a
    /// script can call a fresh instance. The key must read <c>llmk_{16 lowercase hex}_{secret}</c> with a secret of at
    /// least 32 characters; only its salted hash is stored.
    /// </summary>
    /// <param name="key">The key, in LlmKit's format.</param>
    /// <param name="options">The tenant, scopes, models, expiry and limits of the key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key and its stored record.</returns>
    /// <exception cref="ArgumentException">The key is not in LlmKit's format or its secret is shorter than 32 characters; or the options are invalid.</exception>
    public Task<IssuedApiKey> AddExistingAsync(string key, ApiKeyCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        if (!TryParse(key, out string? id, out string? secret) || secret.Length < 32)
        {
            throw new ArgumentException("The key must read 'llmk_' + 16 lowercase hexadecimal characters + '_' + a secret of at least 32 characters (as 'llmkit keys create' makes them).", nameof(key));
        }

        return StoreAsync(id, secret, options, cancellationToken);
    }

    private async Task<IssuedApiKey> StoreAsync(string id, string secret, ApiKeyCreateOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.TenantId))
        {
            throw new ArgumentException("An API key needs a tenant: set TenantId (for example 'acme').", nameof(options));
        }

        if (options.Scopes.Count == 0)
        {
            throw new ArgumentException($"An API key needs at least one scope; choose from {string.Join(", ", ApiKeyScopes.All)}.", nameof(options));
        }

        foreach (string scope in options.Scopes)
        {
            if (!ApiKeyScopes.IsKnown(scope))
            {
                throw new ArgumentException($"Unknown API key scope '{scope}'; choose from {string.Join(", ", ApiKeyScopes.All)}.", nameof(options));
            }
        }

        if (options.ExpiresAfter is { } life && life <= TimeSpan.Zero)
        {
            throw new ArgumentException("ExpiresAfter must be positive (for example 90 days), or null for a key that does not expire.", nameof(options));
        }

        CheckPositive(options.RequestsPerMinute, nameof(options.RequestsPerMinute));
        CheckPositive(options.TokensPerMinute, nameof(options.TokensPerMinute));
        CheckPositive(options.MaxRequestBodyBytes, nameof(options.MaxRequestBodyBytes));
        CheckPositive(options.MaxMessages, nameof(options.MaxMessages));
        CheckPositive(options.MaxOutputTokens, nameof(options.MaxOutputTokens));

        byte[] salt = RandomNumberGenerator.GetBytes(SaltLength);
        var now = _time.GetUtcNow();
        var record = new ApiKeyRecord
        {
            Id = id,
            TenantId = options.TenantId,
            UserId = options.UserId,
            Name = options.Name,
            Scopes = options.Scopes.Distinct(StringComparer.Ordinal).ToArray(),
            AllowedModels = options.AllowedModels.ToArray(),
            CreatedAt = now,
            ExpiresAt = options.ExpiresAfter is { } after ? now + after : null,
            Salt = salt,
            SecretHash = Hash(salt, secret),
            RequestsPerMinute = options.RequestsPerMinute,
            TokensPerMinute = options.TokensPerMinute,
            MaxRequestBodyBytes = options.MaxRequestBodyBytes,
            MaxMessages = options.MaxMessages,
            MaxOutputTokens = options.MaxOutputTokens,
        };
        await _store.AddAsync(record, cancellationToken).ConfigureAwait(false);
        return new IssuedApiKey(KeyPrefix + id + "_" + secret, record);
    }

    /// <summary>
    /// Checks a presented key: reads its record from the store (no cache, so a revocation is seen at once) and compares
    /// the salted hash of its secret in constant time.
    /// </summary>
    /// <param name="presentedKey">The key as the caller sent it.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether the key may be used, and its record when the secret matched.</returns>
    public async Task<ApiKeyVerificationResult> VerifyAsync(string? presentedKey, CancellationToken cancellationToken = default)
    {
        if (!TryParse(presentedKey, out string? id, out string? secret))
        {
            return new ApiKeyVerificationResult(ApiKeyVerificationStatus.Malformed, null);
        }

        var record = await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            // Hash anyway, so an unknown id costs what a wrong secret costs.
            _ = CryptographicOperations.FixedTimeEquals(Hash(DummySalt, secret), DummyHash);
            return new ApiKeyVerificationResult(ApiKeyVerificationStatus.Unknown, null);
        }

        if (!CryptographicOperations.FixedTimeEquals(Hash(record.Salt.Span, secret), record.SecretHash.Span))
        {
            return new ApiKeyVerificationResult(ApiKeyVerificationStatus.Unknown, null);
        }

        if (record.RevokedAt is not null)
        {
            return new ApiKeyVerificationResult(ApiKeyVerificationStatus.Revoked, record);
        }

        if (record.ExpiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            return new ApiKeyVerificationResult(ApiKeyVerificationStatus.Expired, record);
        }

        return new ApiKeyVerificationResult(ApiKeyVerificationStatus.Valid, record);
    }

    /// <summary>Revokes a key in the store; it stops working on the next request.</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the key exists.</returns>
    public Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
        => _store.RevokeAsync(id, _time.GetUtcNow(), cancellationToken);

    private static bool TryParse(string? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? secret)
    {
        id = null;
        secret = null;
        if (key is null || key.Length < KeyPrefix.Length + IdLength + 2 || !key.StartsWith(KeyPrefix, StringComparison.Ordinal)
            || key[KeyPrefix.Length + IdLength] != '_')
        {
            return false;
        }

        var idSpan = key.AsSpan(KeyPrefix.Length, IdLength);
        foreach (char c in idSpan)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        id = idSpan.ToString();
        secret = key[(KeyPrefix.Length + IdLength + 1)..];
        return true;
    }

    private static byte[] Hash(ReadOnlySpan<byte> salt, string secret)
    {
        int length = Encoding.UTF8.GetByteCount(secret);
        byte[] buffer = new byte[salt.Length + length];
        salt.CopyTo(buffer);
        Encoding.UTF8.GetBytes(secret, buffer.AsSpan(salt.Length));
        return SHA256.HashData(buffer);
    }

    private static void CheckPositive(long? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be 1 or more, or null for the host's default; it was {value}."), name);
        }
    }
}
