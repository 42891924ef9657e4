using System.Diagnostics;
using System.Text;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ClientLibrary;

/// <summary>
/// The library as a user adds it: <c>dotnet pack</c> the two packages into a local folder feed, restore a consumer
/// project from it (outside this repository, so no project reference or central version helps), run it against the host.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"order-package-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    [Fact(Timeout = 600_000)]
    public async Task Package_restores_from_a_folder_feed_and_its_sender_stores_orders_on_the_standalone_host()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        var consumer = Directory.CreateDirectory(Path.Combine(_work, "consumer")).FullName;
        var version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}"; // a new version each run: no stale package cache
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        foreach (var project in new[] { "OrderFunctions.Contracts", "OrderFunctions.Client" })
        {
            await RunAsync(OpenApi.OpenApiContract.RepositoryRoot, "pack", Path.Combine(project, project + ".csproj"), "-c", configuration,
                "--no-build",
                "-o", feed, $"-p:Version={version}");
        }
        var package = Path.Combine(feed, $"OrderFunctions.Client.{version}.nupkg");
        using (var archive = System.IO.Compression.ZipFile.OpenRead(package))
        {
            Assert.Contains(archive.Entries, e => e.FullName == "README.md");
            Assert.Contains(archive.Entries, e => e.FullName == "lib/net10.0/OrderFunctions.Client.xml");
            var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
            Assert.Contains($"<dependency id=\"OrderFunctions.Contracts\" version=\"{version}\"", nuspec, StringComparison.Ordinal);
        }

        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup><PackageReference Include="OrderFunctions.Client" Version="{version}" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using OrderFunctions.Client;
            await using var sender = new OrderSender(new OrderSenderOptions { Endpoint = new Uri(args[0]) });
            for (var i = 0; i < 100; i++)
                sender.TryEnqueue(new OutgoingOrder(DateTime.UtcNow, "consumer", "ETH-USD", "buy", 1, 2000 + i));
            Console.WriteLine(await sender.FlushAsync() ? $"stored {sender.StoredCount}" : $"stopped: {sender.StopReason}");
            """);

        await using var app = await StandaloneApplication.StartAsync();
        var output = await RunAsync(consumer, "run", "--", app.BaseAddress.ToString());

        Assert.Contains("stored 100", output, StringComparison.Ordinal);
        Assert.Equal(100, app.CountRows());
    }

    private static async Task<string> RunAsync(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed:{Environment.NewLine}{output}");
        return output.ToString();
    }
}
