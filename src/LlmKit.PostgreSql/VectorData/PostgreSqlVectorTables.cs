using Npgsql;

namespace LlmKit;

/// <summary>The SQL of the PostgreSQL vector store shared by the store and its collections.</summary>
internal static class PostgreSqlVectorTables
{
    public const string SystemName = "llmkit.postgresql";

    public static Task<bool> ExistsAsync(PostgreSqlDatabase database, string name, CancellationToken cancellationToken) =>
        database.RunAsync(async (connection, transaction) => await VersionAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false) is not null, cancellationToken);

    public static Task DeleteAsync(PostgreSqlDatabase database, string name, CancellationToken cancellationToken) =>
        database.RunAsync(async (connection, transaction) =>
        {
            // The records go with their collection (ON DELETE CASCADE).
            await using var command = PostgreSqlDatabase.Command(connection, transaction, "DELETE FROM llmkit_vector_collections WHERE name = @c;");
            command.Parameters.AddWithValue("c", name);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>The collection's change counter, or <see langword="null"/> when it does not exist.</summary>
    public static async Task<long?> VersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = PostgreSqlDatabase.Command(connection, transaction, "SELECT version FROM llmkit_vector_collections WHERE name = @c;");
        command.Parameters.AddWithValue("c", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : null;
    }

    /// <summary>A <c>to_tsquery('simple', ...)</c> text matching any of the words; the words hold only letters and digits, so none is read as syntax.</summary>
    public static string? TsQuery(string text)
    {
        var terms = KeywordTokenizer.Tokenize(text).Distinct(StringComparer.Ordinal).ToList();
        return terms.Count == 0 ? null : string.Join(" | ", terms);
    }
}
