namespace LlmKit.Stores.Tests.Contracts;

/// <summary>
/// The behaviour every <see cref="IApiKeyStore"/> must have (in memory, SQLite, PostgreSQL), and the issuer's checks over
/// it: keys are kept as salted hashes, found by id, listed per tenant, revoked once; a stored record never holds the key.
/// </summary>
public abstract class ApiKeyStoreContractTests
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Creates an empty store.</summary>
    protected abstract Task<IApiKeyStore> CreateStoreAsync();

    [Fact]
    public async Task A_created_key_round_trips_every_field_and_the_store_never_holds_the_key()
    {
        var store = await CreateStoreAsync();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        var issued = await new ApiKeyIssuer(store, time).CreateAsync(new ApiKeyCreateOptions
        {
            TenantId = "acme",
            UserId = "ann",
            Name = "CI bot",
            Scopes = [ApiKeyScopes.Chat, ApiKeyScopes.UsageRead],
            AllowedModels = ["smart", "cheap"],
            ExpiresAfter = TimeSpan.FromDays(90),
            RequestsPerMinute = 60,
            TokensPerMinute = 100_000,
            MaxRequestBodyBytes = 5_000_000_000,
            MaxMessages = 50,
            MaxOutputTokens = 4096,
        });

        var stored = Assert.IsType<ApiKeyRecord>(await store.FindAsync(issued.Record.Id));

        Assert.StartsWith("llmk_" + issued.Record.Id + "_", issued.Key, StringComparison.Ordinal);
        Assert.Equal(("acme", "ann", "CI bot"), (stored.TenantId, stored.UserId, stored.Name));
        Assert.Equal(["chat", "usage:read"], stored.Scopes);
        Assert.Equal(["smart", "cheap"], stored.AllowedModels);
        Assert.Equal(Start, stored.CreatedAt);
        Assert.Equal(Start.AddDays(90), stored.ExpiresAt);
        Assert.Null(stored.RevokedAt);
        Assert.Equal((60, 100_000, 5_000_000_000L, 50, 4096), (stored.RequestsPerMinute!.Value, stored.TokensPerMinute!.Value, stored.MaxRequestBodyBytes!.Value, stored.MaxMessages!.Value, stored.MaxOutputTokens!.Value));
        Assert.Equal(16, stored.Salt.Length);
        Assert.Equal(issued.Record.SecretHash.ToArray(), stored.SecretHash.ToArray());
        string secret = issued.Key[22..];
        Assert.DoesNotContain(secret, Convert.ToBase64String(stored.SecretHash.Span), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, issued.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_with_no_optional_fields_round_trips_with_nulls_and_empty_lists()
    {
        var store = await CreateStoreAsync();
        var issued = await new ApiKeyIssuer(store).CreateAsync(new ApiKeyCreateOptions { TenantId = "t", Scopes = [ApiKeyScopes.Admin] });

        var stored = await store.FindAsync(issued.Record.Id);

        Assert.Equal((null, null, null, null, null), (stored!.UserId, stored.Name, stored.ExpiresAt, stored.RequestsPerMinute, stored.MaxOutputTokens));
        Assert.Empty(stored.AllowedModels);
        Assert.True(stored.HasScope(ApiKeyScopes.Chat));
    }

    [Fact]
    public async Task Verify_accepts_the_key_and_refuses_a_wrong_secret_an_unknown_id_and_a_malformed_key()
    {
        var store = await CreateStoreAsync();
        var issuer = new ApiKeyIssuer(store);
        var issued = await issuer.CreateAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat] });
        char last = issued.Key[^1];
        string wrongSecret = issued.Key[..^1] + (last == 'A' ? 'B' : 'A');
        string unknownId = "llmk_" + new string('0', 16) + issued.Key[21..];

        Assert.Equal(ApiKeyVerificationStatus.Valid, (await issuer.VerifyAsync(issued.Key)).Status);
        Assert.Equal(issued.Record.Id, (await issuer.VerifyAsync(issued.Key)).Key?.Id);
        Assert.Equal(new ApiKeyVerificationResult(ApiKeyVerificationStatus.Unknown, null), await issuer.VerifyAsync(wrongSecret));
        Assert.Equal(new ApiKeyVerificationResult(ApiKeyVerificationStatus.Unknown, null), await issuer.VerifyAsync(unknownId));
        Assert.Equal(ApiKeyVerificationStatus.Malformed, (await issuer.VerifyAsync("sk-" + issued.Key)).Status);
        Assert.Equal(ApiKeyVerificationStatus.Malformed, (await issuer.VerifyAsync(null)).Status);
    }

    [Fact]
    public async Task Revoke_is_seen_by_a_second_store_instance_at_once_and_keeps_the_first_time()
    {
        var store = await CreateStoreAsync();
        var issuer = new ApiKeyIssuer(store);
        var issued = await issuer.CreateAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat] });

        Assert.True(await store.RevokeAsync(issued.Record.Id, Start));
        Assert.True(await store.RevokeAsync(issued.Record.Id, Start.AddHours(1)));
        Assert.False(await store.RevokeAsync("ffffffffffffffff", Start));

        Assert.Equal(Start, (await store.FindAsync(issued.Record.Id))!.RevokedAt);
        Assert.Equal(ApiKeyVerificationStatus.Revoked, (await issuer.VerifyAsync(issued.Key)).Status);
    }

    [Fact]
    public async Task Expiry_is_checked_against_the_clock()
    {
        var store = await CreateStoreAsync();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        var issuer = new ApiKeyIssuer(store, time);
        var issued = await issuer.CreateAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat], ExpiresAfter = TimeSpan.FromHours(1) });

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(ApiKeyVerificationStatus.Valid, (await issuer.VerifyAsync(issued.Key)).Status);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ApiKeyVerificationStatus.Expired, (await issuer.VerifyAsync(issued.Key)).Status);
    }

    [Fact]
    public async Task List_returns_keys_oldest_first_filtered_by_tenant()
    {
        var store = await CreateStoreAsync();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        var issuer = new ApiKeyIssuer(store, time);
        var a1 = await issuer.CreateAsync(new ApiKeyCreateOptions { TenantId = "a", Scopes = [ApiKeyScopes.Chat] });
        time.Advance(TimeSpan.FromSeconds(1));
        var b1 = await issuer.CreateAsync(new ApiKeyCreateOptions { TenantId = "b", Scopes = [ApiKeyScopes.Chat] });
        time.Advance(TimeSpan.FromSeconds(1));
        var a2 = await issuer.CreateAsync(new ApiKeyCreateOptions { TenantId = "a", Scopes = [ApiKeyScopes.Chat] });

        Assert.Equal([a1.Record.Id, b1.Record.Id, a2.Record.Id], (await store.ListAsync()).Select(k => k.Id));
        Assert.Equal([a1.Record.Id, a2.Record.Id], (await store.ListAsync("a")).Select(k => k.Id));
        Assert.Empty(await store.ListAsync("nobody"));
    }

    [Fact]
    public async Task Adding_an_existing_id_throws_and_keeps_the_first_record()
    {
        var store = await CreateStoreAsync();
        var issued = await new ApiKeyIssuer(store).CreateAsync(new ApiKeyCreateOptions { TenantId = "acme", Scopes = [ApiKeyScopes.Chat] });

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddAsync(issued.Record with { TenantId = "evil" }));

        Assert.Equal("acme", (await store.FindAsync(issued.Record.Id))!.TenantId);
    }

    [Theory]
    [InlineData("", "chat")]
    [InlineData("acme", "")]
    [InlineData("acme", "root")]
    public async Task Create_refuses_a_key_without_tenant_or_with_no_or_unknown_scopes(string tenant, string scopes)
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => new ApiKeyIssuer(store).CreateAsync(new ApiKeyCreateOptions
        {
            TenantId = tenant,
            Scopes = scopes.Split(',', StringSplitOptions.RemoveEmptyEntries),
        }));

        Assert.Empty(await store.ListAsync());
    }
}
