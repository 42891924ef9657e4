using System.Text.Json;
using OrderFunctions.Tests.Hosting.FunctionsHost.Rpc;

namespace OrderFunctions.Tests.Hosting.FunctionsHost;

/// <summary>A function the worker indexed and loaded, with its HTTP trigger as the host reads it from the raw binding.</summary>
internal sealed record LoadedFunction(string FunctionId, string Name, string TriggerName, string? Route, IReadOnlyList<string> Methods)
{
    /// <summary>The function's HTTP trigger, or null when it has none.</summary>
    public static LoadedFunction? FromMetadata(RpcFunctionMetadata metadata)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            if (!string.Equals(root.GetProperty("type").GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase)) continue;
            var methods = root.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
                ? m.EnumerateArray().Select(v => v.GetString()!.ToUpperInvariant()).ToArray()
                : [];
            var route = root.TryGetProperty("route", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            return new LoadedFunction(metadata.FunctionId, metadata.Name, root.GetProperty("name").GetString()!, route, methods);
        }
        return null;
    }

    /// <summary>The route the host serves: routePrefix, then the trigger's route (the function name when it has none).</summary>
    public string Pattern(string routePrefix) =>
        "/" + string.Join('/', new[] { routePrefix.Trim('/'), (Route ?? Name).Trim('/') }.Where(p => p.Length > 0));
}
