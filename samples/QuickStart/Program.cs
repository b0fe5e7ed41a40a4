// LlmKit QuickStart: one AddLlmKit() registration, then the IChatClient it gives you (the steps are in QuickStartApp.cs).
// With no provider API key in the environment it runs on the offline model from LlmKit.Testing,
// so it works on a fresh machine with no network. Its conversation is kept in quickstart.db (SQLite) in the
// working directory, so the next run continues it.
using QuickStart;

await QuickStartApp.RunAsync(Path.GetFullPath("quickstart.db"), Environment.GetEnvironmentVariable, Console.Out);
