using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Shared;

/// <summary>
/// A tool run through a provider's real response parser (against aimock): the user's e-mail address is anonymised for the
/// model, the model calls <c>send_mail</c> with the surrogate in arguments of every JSON shape (a string, a string inside
/// a nested object, inside an array, inside an object's map), and the tool must receive the original everywhere.
/// </summary>
public static class ToolArgumentPiiScenario
{
    /// <summary>The user's message; the address in it is anonymised to <c>[EMAIL_1]</c>.</summary>
    public const string Prompt = "pii-tool-run: mail ann@example.com the menu";

    /// <summary>The aimock fixtures: a tool call with the surrogate in every shape, then a text answer once the tool's result is in.</summary>
    public const string Fixtures = """
        {
          "fixtures": [
            { "match": { "userMessage": "pii-tool-run", "hasToolResult": false }, "response": { "toolCalls": [
                { "name": "send_mail", "arguments": { "recipient": "[EMAIL_1]", "mail": { "subject": "Hi [EMAIL_1]", "cc": ["x@y.invalid", "[EMAIL_1]"], "headers": { "reply-to": "[EMAIL_1]" } } } } ] } },
            { "match": { "userMessage": "pii-tool-run", "hasToolResult": true }, "response": { "content": "Mail sent to [EMAIL_1]." } }
          ]
        }
        """;

    /// <summary>The mail the tool receives.</summary>
    public sealed record Envelope(string Subject, string[] Cc, Dictionary<string, string> Headers);

    /// <summary>What the tool received and what the caller got back.</summary>
    public sealed record Outcome(string? Recipient, Envelope? Mail, string Text, int ToolCalls);

    /// <summary>Runs the scenario on the LlmKit pipeline built by <paramref name="addProvider"/>.</summary>
    public static async Task<Outcome> RunAsync(Action<ILlmKitBuilder> addProvider, bool stream)
    {
        var services = new ServiceCollection();
        services.AddLlmKit(kit =>
        {
            addProvider(kit);
            kit.Configure(o =>
            {
                o.Safety.Input.Rules["EMAIL"] = new GuardRuleOptions { Action = GuardAction.Anonymize };
                o.Resilience.RetryBaseDelay = TimeSpan.Zero;
            });
        });
        await using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredService<IChatClient>();
        string? gotRecipient = null;
        Envelope? gotMail = null;
        int calls = 0;
        var send = AIFunctionFactory.Create(
            [Description("Sends an e-mail")] (string recipient, Envelope mail) =>
            {
                Interlocked.Increment(ref calls);
                gotRecipient = recipient;
                gotMail = mail;
                return "queued";
            },
            "send_mail");
        var options = new ChatOptions { Tools = [send] };
        string text = stream
            ? string.Concat((await client.GetStreamingResponseAsync(Prompt, options).ToListAsync()).Select(u => u.Text))
            : (await client.GetResponseAsync(Prompt, options)).Text;
        return new Outcome(gotRecipient, gotMail, text, calls);
    }
}

/// <summary>Starts aimock once per test class with <see cref="ToolArgumentPiiScenario.Fixtures"/>.</summary>
public sealed class ToolArgumentPiiAimockFixture : IAsyncLifetime
{
    public AimockServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AimockServer.StartAsync(new Dictionary<string, string> { ["pii-tools.json"] = ToolArgumentPiiScenario.Fixtures });

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
