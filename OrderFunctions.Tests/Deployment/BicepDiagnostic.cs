namespace OrderFunctions.Tests.Deployment;

/// <summary>One error, warning or note the Bicep CLI reported (a SARIF result).</summary>
internal sealed record BicepDiagnostic(string Level, string RuleId, string Message, string File, int Line)
{
    public override string ToString() => $"{File}({Line}): {Level} {RuleId}: {Message}";
}
