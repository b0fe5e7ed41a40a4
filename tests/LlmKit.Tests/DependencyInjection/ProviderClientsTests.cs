using LlmKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmKit.Tests.DependencyInjection;

public class ProviderClientsTests
{
    private static ProviderClients Create(Func<IServiceProvider, IChatClient> factory)
        => new(new ServiceCollection().BuildServiceProvider(), Options.Create(new LlmKitOptions()), [new ProviderRegistration("a", factory, HttpClientName: null)], []);

    [Fact]
    public void Get_FactoryThrewOnce_CreatesTheClientOnTheNextCall()
    {
        int calls = 0;
        var client = new ScriptedChatClient();
        using var clients = Create(_ => ++calls == 1 ? throw new HttpRequestException("the key vault is unreachable") : client);

        Assert.Throws<HttpRequestException>(() => clients.Get("a"));

        Assert.Same(client, clients.Get("a"));
        Assert.Same(client, clients.Get("a"));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Get_FactorySucceeded_CreatesTheClientOnce()
    {
        int calls = 0;
        using var clients = Create(_ =>
        {
            calls++;
            return new ScriptedChatClient();
        });

        var first = clients.Get("a");

        Assert.Same(first, clients.Get("a"));
        Assert.Equal(1, calls);
    }
}
