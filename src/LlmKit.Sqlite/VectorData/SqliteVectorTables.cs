using System.Text;
using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>The SQL of the SQLite vector store: the collection catalog, records, the FTS5 index and the change counter.</summary>
internal static class SqliteVectorTables
{
    public const string SystemName = "llmkit.sqlite";

    public static Task<bool> ExistsAsync(SqliteDatabase database, string name, CancellationToken cancellationToken) =>
        database.ReadAsync((connection, transaction) => Version(connection, transaction, name) is not null, cancellationToken);

    public static Task DeleteAsync(SqliteDatabase database, string name, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            Execute(connection, transaction, "DELETE FROM llmkit_vector_fts WHERE collection = $c;", name);
            Execute(connection, transaction, "DELETE FROM llmkit_vector_records WHERE collection = $c;", name);
            Execute(connection, transaction, "DELETE FROM llmkit_vector_collections WHERE name = $c;", name);
            return 0;
        }, cancellationToken);

    /// <summary>The collection's change counter, or <see langword="null"/> when it does not exist.</summary>
    public static long? Version(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using var command = SqliteDatabase.Command(connection, transaction, "SELECT version FROM llmkit_vector_collections WHERE name = $c;");
        command.Parameters.AddWithValue("$c", name);
        return command.ExecuteScalar() is long version ? version : null;
    }

    public static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, string collection)
    {
        using var command = SqliteDatabase.Command(connection, transaction, sql);
        command.Parameters.AddWithValue("$c", collection);
        command.ExecuteNonQuery();
    }

    /// <summary>An FTS5 query matching any of the words (each quoted, so no word is read as FTS5 syntax).</summary>
    public static string? MatchQuery(string text)
    {
        var terms = KeywordTokenizer.Tokenize(text).Distinct(StringComparer.Ordinal).ToList();
        if (terms.Count == 0)
        {
            return null;
        }

        var query = new StringBuilder();
        foreach (string term in terms)
        {
            query.Append(query.Length == 0 ? "" : " OR ").Append('"').Append(term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        return query.ToString();
    }
}
