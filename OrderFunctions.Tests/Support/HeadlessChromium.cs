using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// Debian's chromium, headless, through Debian's chromedriver (Selenium WebDriver; Selenium Manager never downloads
/// anything because both paths are given), on a fresh profile deleted afterwards. Waits are polled conditions with a
/// deadline; the browser's console is read back through the driver's log.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    private readonly string _profile = Path.Combine(Path.GetTempPath(), $"chromium-{Guid.NewGuid():N}");
    private readonly ChromeDriver _driver;

    public HeadlessChromium(int width = 1280, int height = 1000)
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ThirdPartyTools.ChromeDriver ?? "/usr/bin/chromedriver")!,
            "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ThirdPartyTools.Chromium ?? "/usr/bin/chromium" };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            $"--user-data-dir={_profile}", $"--window-size={width},{height}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        _driver = Start(service, options);
    }

    // chromedriver once exited before answering on a machine busy with parallel builds; one more start tells a
    // transient failure from a broken install (which fails again).
    private static ChromeDriver Start(ChromeDriverService service, ChromeOptions options)
    {
        try
        {
            return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        }
        catch (WebDriverException)
        {
            return new ChromeDriver(ChromeDriverService.CreateDefaultService(service.DriverServicePath, service.DriverServiceExecutableName), options,
                TimeSpan.FromSeconds(60));
        }
    }

    public IWebDriver Driver => _driver;

    public void Open(Uri url) => _driver.Navigate().GoToUrl(url);

    public IWebElement Find(string css) => _driver.FindElement(By.CssSelector(css));

    /// <summary>Runs <paramref name="script"/> in the page and returns its value as JSON (so callers parse, not cast).</summary>
    public JsonElement Evaluate(string script)
    {
        var value = ((IJavaScriptExecutor)_driver).ExecuteScript($"return JSON.stringify((() => {{ {script} }})());");
        return JsonDocument.Parse((string)value!).RootElement;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds or the deadline passes; fails with <paramref name="what"/> and the page's state.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if (condition()) return;
            }
            catch (WebDriverException)
            {
                // The page may be between renders; try again until the deadline.
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}. Status: '{Find("#status").Text}', message: '{Find("#message").Text}'");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The browser console's entries at SEVERE level (errors) since the last call.</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        [.. _driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level == LogLevel.Severe).Select(e => e.Message)];

    /// <summary>Saves a PNG of the viewport's page.</summary>
    public void Screenshot(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ((ITakesScreenshot)_driver).GetScreenshot().SaveAsFile(path);
    }

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
