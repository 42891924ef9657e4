namespace OrderFunctions.Standalone;

/// <summary>
/// The folder this host's assembly was loaded from, where its appsettings.json and host.json are: not the working
/// directory, and not <see cref="AppContext.BaseDirectory"/>, which is the tool's folder when the build-time OpenAPI
/// generator runs this app.
/// </summary>
public static class AppDirectory
{
    public static string Path { get; } = System.IO.Path.GetDirectoryName(typeof(AppDirectory).Assembly.Location) ?? AppContext.BaseDirectory;
}
