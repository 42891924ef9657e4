using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace OrderFunctions.Standalone;

/// <summary>
/// One HTTP function as its attributes declare it: the <c>[Function]</c> name, the <c>[HttpTrigger]</c> route, methods
/// and authorization level, and the method the worker would invoke.
/// </summary>
public sealed record FunctionRoute(string Name, string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel, MethodInfo Method)
{
    /// <summary>The route the Functions host serves: <c>routePrefix</c> from host.json, then the trigger's route.</summary>
    public string Pattern(string routePrefix) =>
        "/" + string.Join('/', new[] { routePrefix.Trim('/'), Route.Trim('/') }.Where(p => p.Length > 0));
}
