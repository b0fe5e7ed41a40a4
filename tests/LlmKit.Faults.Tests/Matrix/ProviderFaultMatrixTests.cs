namespace LlmKit.Faults.Tests.Matrix;

/// <summary>
/// The fault matrix of issue 18: every provider (OpenAI, Ollama, Anthropic, Gemini) against every fault, through the
/// whole <c>AddLlmKit()</c> pipeline over a byte-level fake server. Each cell asserts the attempts that reached the
/// server, fallback, the exception type and kind (or success), one ledger record per call, and that the canary API key
/// appears in no log line, exception, activity or ledger record. The table is published in this project's README.
/// </summary>
public class ProviderFaultMatrixTests
{
    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var wire in ProviderWire.All)
        {
            foreach (var fault in FaultCase.All)
            {
                data.Add(wire.Name, fault.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Call_ProviderFault_ExpectedOutcomeOneRecordNoSecret(string provider, string fault)
    {
        var wire = ProviderWire.All.Single(w => w.Name == provider);
        var cell = FaultCase.All.Single(f => f.Name == fault);
        var expected = cell.Expected;

        var result = await MatrixHarness.RunAsync(wire, cell);

        // Outcome.
        if (expected.Error is null)
        {
            Assert.True(result.Error is null, $"Expected success, got {result.Error}");
            Assert.Contains(expected.FallsBack ? "from secondary" : "from primary", result.Text, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(result.Error is not null, $"Expected {expected}, got success: '{result.Text}'");
            Assert.IsType(expected.Error, result.Error);
            Assert.Equal(expected.Kind, ((LlmKitException)result.Error!).FailureKind);
            Assert.Equal(expected.UpdatesBeforeError, result.Updates > 0);
        }

        // Attempts on the primary (retried how often) and on the secondary (fallen back or not).
        Assert.Equal(expected.Attempts, result.PrimaryAttempts);
        Assert.Equal(expected.FallsBack ? 1 : 0, result.SecondaryAttempts);
        Assert.Equal(expected.Attempts - 1, result.RetryLogs);
        Assert.Equal(expected.FallsBack ? 1 : 0, result.FallbackLogs);
        Assert.True(result.FakeElapsed >= cell.MinFakeElapsed, $"Fake time {result.FakeElapsed} is below {cell.MinFakeElapsed}.");

        // Exactly one ledger record for the logical call, a success or a failure of the expected kind.
        var record = Assert.Single(result.Records);
        Assert.Equal(1, result.Totals.Calls);
        Assert.Equal(expected.Error is null ? 0 : 1, result.Totals.Failures);
        Assert.Equal(expected.Error is null ? CallOutcome.Success : CallOutcome.Failure, record.Outcome);
        Assert.Equal(expected.Kind, record.FailureKind);
        Assert.True(record.InputTokens >= 0 && record.OutputTokens >= 0);

        if (expected.Error is null)
        {
            Assert.Contains(expected.FallsBack ? "secondary" : "primary", record.Deployment ?? string.Empty, StringComparison.Ordinal);
        }

        // The canary key went to the server, and nowhere else.
        Assert.True(result.CanarySent, "The primary server never saw the API key.");
        Assert.Contains(MatrixHarness.StoppedActivities, a => a.Source.Name == "LlmKit");
        string? leakedLog = result.LogText.FirstOrDefault(line => line.Contains("SECRET-matrix", StringComparison.Ordinal));
        Assert.True(leakedLog is null, $"The canary is in a log line: {leakedLog}");
        if (result.Error is not null)
        {
            Assert.DoesNotContain("SECRET-matrix", result.Error.ToString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("SECRET-matrix", record.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(record.Tags, t => t.Key.Contains("SECRET-matrix", StringComparison.Ordinal) || t.Value.Contains("SECRET-matrix", StringComparison.Ordinal));
        string? leakedActivity = MatrixHarness.StoppedActivities.SelectMany(MatrixHarness.TextOf).FirstOrDefault(t => t.Contains("SECRET-matrix", StringComparison.Ordinal));
        Assert.True(leakedActivity is null, $"The canary is in an activity: {leakedActivity}");
    }
}
