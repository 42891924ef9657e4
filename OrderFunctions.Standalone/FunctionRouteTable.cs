using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace OrderFunctions.Standalone;

/// <summary>
/// The routes the Functions host would serve, read from where the host reads them: the function classes' attributes
/// (which the Worker SDK writes into functions.metadata) and <c>extensions.http.routePrefix</c> in host.json.
/// </summary>
public static class FunctionRouteTable
{
    /// <summary>The Functions host's prefix when host.json names none.</summary>
    public const string DefaultRoutePrefix = "api";

    /// <summary>Every method marked <c>[Function]</c> with an <c>[HttpTrigger]</c> parameter, in name order.</summary>
    public static IReadOnlyList<FunctionRoute> Discover(Assembly assembly) =>
        [.. assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (method, function: method.GetCustomAttribute<FunctionAttribute>()))
            .Where(m => m.function is not null)
            .Select(m => (m.method, m.function, trigger: m.method.GetParameters()
                .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null)))
            .Where(m => m.trigger is not null)
            .Select(m => new FunctionRoute(
                m.function!.Name,
                m.trigger!.Route ?? m.function.Name, // the host's default route is the function name
                [.. (m.trigger.Methods ?? [HttpMethods.Get, HttpMethods.Post]).Select(v => v.ToLowerInvariant())],
                m.trigger.AuthLevel,
                m.method))
            .OrderBy(r => r.Name, StringComparer.Ordinal)];

    /// <summary><c>extensions.http.routePrefix</c> of the host.json at <paramref name="hostJsonPath"/>; "api" when unset.</summary>
    public static string ReadRoutePrefix(string hostJsonPath)
    {
        using var host = JsonDocument.Parse(File.ReadAllText(hostJsonPath));
        return host.RootElement.TryGetProperty("extensions", out var extensions)
               && extensions.TryGetProperty("http", out var http)
               && http.TryGetProperty("routePrefix", out var prefix)
               && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!
            : DefaultRoutePrefix;
    }
}
