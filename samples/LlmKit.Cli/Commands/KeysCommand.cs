using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace LlmKit.Cli.Commands;

/// <summary><c>llmkit keys create|list|revoke</c>: API keys for the REST endpoints, in a SQLite key store.</summary>
internal static class KeysCommand
{
    public static Command Create(Option<bool> json)
    {
        var db = new Option<FileInfo>("--db") { Description = "The SQLite database file the app's key store uses (UseSqliteStores).", Required = true, Recursive = true };
        var command = new Command("keys", "API keys for LlmKit's REST endpoints: create, list, revoke.") { db };
        command.Subcommands.Add(CreateKey(json, db));
        command.Subcommands.Add(List(json, db));
        command.Subcommands.Add(Revoke(json, db));
        return command;
    }

    private static Command CreateKey(Option<bool> json, Option<FileInfo> db)
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant the key belongs to.", Required = true };
        var user = new Option<string?>("--user") { Description = "The user the key acts for (optional)." };
        var scopes = new Option<string>("--scopes") { Description = $"Comma-separated scopes: {string.Join(", ", ApiKeyScopes.All)}.", Required = true };
        var models = new Option<string?>("--models") { Description = "Comma-separated logical models the key may use (default: all)." };
        var expires = new Option<string?>("--expires") { Description = "Lifetime: a number with d, h or m (90d, 12h, 30m); default: never." };
        var name = new Option<string?>("--name") { Description = "A name for people (optional)." };
        var command = new Command("create", "Creates a key and prints it once; only its salted hash is stored.") { tenant, user, scopes, models, expires, name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ApiKeyCreateOptions
            {
                TenantId = parse.GetValue(tenant)!,
                UserId = parse.GetValue(user),
                Name = parse.GetValue(name),
                Scopes = Split(parse.GetValue(scopes)),
                AllowedModels = Split(parse.GetValue(models)),
                ExpiresAfter = ParseLifetime(parse.GetValue(expires)),
            };
            IssuedApiKey issued;
            try
            {
                issued = await new ApiKeyIssuer(Store(parse.GetValue(db)!)).CreateAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new CliInputException(ex.Message.Split(" (Parameter", 2)[0]);
            }

            var r = issued.Record;
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new ApiKeyCreatedResult(r.Id, issued.Key, r.TenantId, r.UserId, r.Scopes, r.ExpiresAt), CliJsonContext.Output.ApiKeyCreatedResult));
            }
            else
            {
                Console.Out.WriteLine(issued.Key);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Key {r.Id} for tenant {r.TenantId} ({string.Join(",", r.Scopes)}){(r.ExpiresAt is { } e ? $", expires {e:u}" : string.Empty)}. Store it now: it is not shown again."));
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command List(Option<bool> json, Option<FileInfo> db)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's keys." };
        var command = new Command("list", "Lists keys, oldest first (ids and settings, never the keys).") { tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var keys = await Store(parse.GetValue(db)!).ListAsync(parse.GetValue(tenant), cancellationToken).ConfigureAwait(false);
            var rows = keys.Select(ApiKeyRow.From).ToList();
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(rows, CliJsonContext.Output.ListApiKeyRow));
            }
            else if (rows.Count == 0)
            {
                Console.Out.WriteLine("No keys.");
            }
            else
            {
                foreach (var k in rows)
                {
                    string state = k.Revoked is not null ? "revoked" : k.Expires is { } e && e <= DateTimeOffset.UtcNow ? "expired" : "active";
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k.Id}  {state,-7}  {k.Tenant}{(k.User is null ? string.Empty : "/" + k.User)}  {string.Join(",", k.Scopes)}  created {k.Created:u}{(k.Expires is { } x ? $"  expires {x:u}" : string.Empty)}"));
                }
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(Option<bool> json, Option<FileInfo> db)
    {
        var id = new Argument<string>("ID") { Description = "The key's id (see 'llmkit keys list')." };
        var command = new Command("revoke", "Revokes a key; it stops working on the next request.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string keyId = parse.GetValue(id)!;
            bool found = await new ApiKeyIssuer(Store(parse.GetValue(db)!)).RevokeAsync(keyId, cancellationToken).ConfigureAwait(false);
            if (!found)
            {
                throw new CliInputException($"ID: no key '{keyId}' in this database. See 'llmkit keys list'.");
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(ApiKeyRow.From((await Store(parse.GetValue(db)!).FindAsync(keyId, cancellationToken).ConfigureAwait(false))!), CliJsonContext.Output.ApiKeyRow));
            }
            else
            {
                Console.Out.WriteLine($"Revoked {keyId}.");
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static SqliteApiKeyStore Store(FileInfo db) => new("Data Source=" + db.FullName);

    private static string[] Split(string? list)
        => list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TimeSpan? ParseLifetime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        char unit = text[^1];
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || unit is not ('d' or 'h' or 'm'))
        {
            throw new CliInputException($"--expires: '{text}' is not a lifetime; write a whole number with d, h or m, for example 90d.");
        }

        return unit switch { 'd' => TimeSpan.FromDays(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromMinutes(n) };
    }
}
