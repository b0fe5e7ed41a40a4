using System.Text.Json;

namespace LlmKit.Cli.Tests;

public class KeysCommandTests
{
    [Fact]
    public async Task Create_prints_the_key_once_list_never_shows_it_and_revoke_stops_it()
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-cli-keys-{Guid.NewGuid():N}.db");

        var created = await CliRunner.RunAsync(null, null, "keys", "create", "--db", db, "--tenant", "acme", "--user", "ann", "--scopes", "chat,embeddings", "--expires", "90d", "--json");
        Assert.True(created.ExitCode == 0, created.StdErr);
        var result = JsonDocument.Parse(created.StdOut).RootElement;
        string id = result.GetProperty("id").GetString()!;
        string key = result.GetProperty("key").GetString()!;
        Assert.StartsWith("llmk_" + id + "_", key, StringComparison.Ordinal);
        Assert.Equal("acme", result.GetProperty("tenant").GetString());
        Assert.Equal(["chat", "embeddings"], result.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        var expires = result.GetProperty("expires").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(89), TimeSpan.FromDays(90));

        var store = new SqliteApiKeyStore("Data Source=" + db);
        Assert.Equal(ApiKeyVerificationStatus.Valid, (await new ApiKeyIssuer(store).VerifyAsync(key)).Status);

        var listed = await CliRunner.RunAsync(null, null, "keys", "list", "--db", db, "--json");
        Assert.Equal(0, listed.ExitCode);
        Assert.DoesNotContain(key[22..], listed.StdOut, StringComparison.Ordinal);
        var row = Assert.Single(JsonDocument.Parse(listed.StdOut).RootElement.EnumerateArray());
        Assert.Equal((id, "ann"), (row.GetProperty("id").GetString(), row.GetProperty("user").GetString()));
        Assert.False(row.TryGetProperty("key", out _));

        var revoked = await CliRunner.RunAsync(null, null, "keys", "revoke", id, "--db", db);
        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal(ApiKeyVerificationStatus.Revoked, (await new ApiKeyIssuer(store).VerifyAsync(key)).Status);
    }

    [Theory]
    [InlineData("--scopes", "chat,root", "root")]
    [InlineData("--expires", "forever", "--expires")]
    public async Task Create_with_bad_input_exits_2_naming_the_problem_and_stores_nothing(string option, string value, string named)
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-cli-keys-{Guid.NewGuid():N}.db");
        string[] args = option == "--scopes"
            ? ["keys", "create", "--db", db, "--tenant", "acme", "--scopes", value]
            : ["keys", "create", "--db", db, "--tenant", "acme", "--scopes", "chat", option, value];

        var (exit, stdout, stderr) = await CliRunner.RunAsync(null, null, args);

        Assert.Equal(2, exit);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout.Trim());
        Assert.Empty(await new SqliteApiKeyStore("Data Source=" + db).ListAsync());
    }

    [Fact]
    public async Task Revoking_an_unknown_id_exits_2()
    {
        string db = Path.Combine(Path.GetTempPath(), $"llmkit-cli-keys-{Guid.NewGuid():N}.db");

        var (exit, _, stderr) = await CliRunner.RunAsync(null, null, "keys", "revoke", "0123456789abcdef", "--db", db);

        Assert.Equal(2, exit);
        Assert.Contains("0123456789abcdef", stderr, StringComparison.Ordinal);
    }
}
