using LlmKit.Tests.Shared;

namespace LlmKit.Anthropic.Tests.TestDoubles;

/// <summary>Starts aimock once for the end-to-end tests with the Anthropic fixtures.</summary>
public sealed class AimockAnthropicFixture : IAsyncLifetime
{
    public AimockServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
        => Server = await AimockServer.StartAsync(new Dictionary<string, string> { ["anthropic.json"] = Fixtures.Text("aimock-anthropic.json") });

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
