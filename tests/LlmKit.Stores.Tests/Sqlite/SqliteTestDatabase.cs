namespace LlmKit.Stores.Tests.Sqlite;

/// <summary>Fresh SQLite database files in a temporary directory that is deleted with the test class.</summary>
public sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "llmkit-sqlite-" + Guid.NewGuid().ToString("N"));

    public SqliteTestDatabase()
    {
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Returns the connection string of a new, not yet created database file.</summary>
    public string NewConnectionString() => "Data Source=" + NewPath();

    public string NewPath() => Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A connection pool of another test class may still hold a file; the OS temp cleaner removes it.
        }
    }
}
