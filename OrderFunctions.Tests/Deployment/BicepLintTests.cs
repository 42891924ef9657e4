namespace OrderFunctions.Tests.Deployment;

/// <summary>infra/ compiles and lints clean with the Bicep CLI: any error or warning, compiler or linter, fails.</summary>
public sealed class BicepLintTests
{
    /// <summary>Every .bicep file under infra/, relative to it (modules too, referenced or not).</summary>
    public static TheoryData<string> Templates()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.Infra, "*.bicep", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(RepositoryFiles.Infra, file));
        return data;
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Build_reports_no_diagnostics_when_compiling_main_and_its_modules()
    {
        var (compiled, diagnostics) = await BicepCli.BuildAsync(RepositoryFiles.MainTemplate);

        Assert.Empty(diagnostics);
        Assert.NotNull(compiled);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [MemberData(nameof(Templates))]
    public async Task Lint_reports_no_diagnostics_when_linting_template(string template)
    {
        var diagnostics = await BicepCli.LintAsync(Path.Combine(RepositoryFiles.Infra, template));

        Assert.Empty(diagnostics);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Lint_reports_rule_breaks_when_template_has_them_under_infra_bicepconfig()
    {
        // Arrange: infra's bicepconfig.json beside a template with an unused parameter (a rule infra raises to error)
        // and a storage account name too short for its type (a compiler warning).
        var directory = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            File.Copy(Path.Combine(RepositoryFiles.Infra, "bicepconfig.json"), Path.Combine(directory.FullName, "bicepconfig.json"));
            var template = Path.Combine(directory.FullName, "broken.bicep");
            await File.WriteAllTextAsync(template, """
                param unused string
                resource storage 'Microsoft.Storage/storageAccounts@2025-08-01' existing = {
                  name: 'x'
                }
                output id string = storage.id
                """);

            // Act
            var diagnostics = await BicepCli.LintAsync(template);
            var (_, buildDiagnostics) = await BicepCli.BuildAsync(template);

            // Assert
            Assert.Contains(diagnostics, d => d.RuleId == "no-unused-params" && d.Level == "error");
            Assert.Contains(diagnostics, d => d.RuleId == "BCP333" && d.Level == "warning");
            Assert.Contains(buildDiagnostics, d => d.RuleId == "BCP333");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
