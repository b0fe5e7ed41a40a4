using System.Text.Json;
using LlmKit.Stores.Tests.Redis;

namespace LlmKit.Cli.Tests;

/// <summary><c>llmkit chat --cache</c>: the same command run twice, the second answered from the cache.</summary>
public sealed class ChatCacheCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "llmkit-cli-cache-" + Guid.NewGuid().ToString("N"));

    public ChatCacheCommandTests()
    {
        Directory.CreateDirectory(_directory);
    }

    [Fact]
    public async Task Chat_CacheSqlite_SecondRunIsAHit_WithCostZero()
    {
        string file = Path.Combine(_directory, "cache.db");
        string question = "cache me " + Guid.NewGuid().ToString("N");

        var first = await CliRunner.RunAsync(null, null, "chat", "--cache", "sqlite=" + file, "--json", question);
        var second = await CliRunner.RunAsync(null, null, "chat", "--cache", "sqlite=" + file, "--json", question);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        using var a = JsonDocument.Parse(first.StdOut);
        using var b = JsonDocument.Parse(second.StdOut);
        Assert.False(a.RootElement.GetProperty("cached").GetBoolean());
        Assert.True(b.RootElement.GetProperty("cached").GetBoolean());
        Assert.Equal(a.RootElement.GetProperty("text").GetString(), b.RootElement.GetProperty("text").GetString());
        Assert.Equal(0m, b.RootElement.GetProperty("cost").GetProperty("total").GetDecimal());
        Assert.True(b.RootElement.GetProperty("cost").GetProperty("known").GetBoolean());

        // The offline model has no price: what the hit saved is unknown, written as null, never as 0.
        Assert.Equal(JsonValueKind.Null, b.RootElement.GetProperty("savedCost").ValueKind);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public async Task Chat_CacheRedis_SecondRunIsAHit()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        try
        {
            await RunTwiceAsync(redis);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private static async Task RunTwiceAsync(RedisServerFixture redis)
    {
        string question = "cache me on redis " + Guid.NewGuid().ToString("N");
        string server = "redis=127.0.0.1:" + redis.Port;

        var first = await CliRunner.RunAsync(null, null, "chat", "--cache", server, "--json", question);
        var second = await CliRunner.RunAsync(null, null, "chat", "--cache", server, "--json", question);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        using var b = JsonDocument.Parse(second.StdOut);
        Assert.True(b.RootElement.GetProperty("cached").GetBoolean());
        Assert.Equal(0m, b.RootElement.GetProperty("cost").GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task Chat_CacheUnknownBackend_Exits2NamingTheChoices()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, null, "chat", "--cache", "memcached=1.2.3.4", "hi");

        Assert.Equal(2, exit);
        Assert.Contains("memory, sqlite=FILE or redis=HOST:PORT", stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The tool's process has exited; a file still held is removed by the OS temp cleaner.
        }
    }
}
