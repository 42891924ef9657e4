using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace OrderFunctions.Standalone;

/// <summary>
/// Calls one function the way the worker does: a new instance per request from the request's services
/// (ActivatorUtilities, as the worker's DefaultFunctionActivator), the trigger's <see cref="HttpRequest"/>, route values
/// converted to the parameters named like them, and the request's cancellation token.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly MethodInfo _method;
    private readonly ObjectFactory _create;
    private readonly Func<HttpContext, object?>[] _arguments;
    private readonly Func<object?, Task<IResult>> _awaitResult;

    public FunctionInvoker(FunctionRoute route)
    {
        _method = route.Method;
        _create = ActivatorUtilities.CreateFactory(_method.DeclaringType!, Type.EmptyTypes);
        _arguments = [.. _method.GetParameters().Select(p => Binder(route, p))];
        _awaitResult = ResultAwaiter(route);
    }

    public Task<IResult> InvokeAsync(HttpContext context)
    {
        var function = _method.IsStatic ? null : _create(context.RequestServices, null);
        var arguments = new object?[_arguments.Length];
        for (var i = 0; i < arguments.Length; i++) arguments[i] = _arguments[i](context);
        return _awaitResult(_method.Invoke(function, arguments));
    }

    private static Func<HttpContext, object?> Binder(FunctionRoute route, ParameterInfo parameter)
    {
        if (parameter.ParameterType == typeof(HttpRequest)) return context => context.Request;
        if (parameter.ParameterType == typeof(CancellationToken)) return context => context.RequestAborted;
        if (route.Route.Contains("{" + parameter.Name, StringComparison.OrdinalIgnoreCase))
        {
            var name = parameter.Name!;
            var converter = TypeDescriptor.GetConverter(parameter.ParameterType);
            return context => context.Request.RouteValues[name] is string value
                ? converter.ConvertFromString(null, CultureInfo.InvariantCulture, value)
                : null;
        }
        throw new NotSupportedException(
            $"Function {route.Name}: parameter '{parameter.Name}' is neither the HttpRequest, a CancellationToken nor a route value; the " +
            "standalone host cannot bind it.");
    }

    private static Func<object?, Task<IResult>> ResultAwaiter(FunctionRoute route)
    {
        var type = route.Method.ReturnType;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>)
            && typeof(IResult).IsAssignableFrom(type.GetGenericArguments()[0]))
        {
            var await = typeof(FunctionInvoker).GetMethod(nameof(AwaitResult), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.GetGenericArguments()[0]);
            return await.CreateDelegate<Func<object?, Task<IResult>>>();
        }
        throw new NotSupportedException($"Function {route.Name} returns {type}; the standalone host serves functions returning Task<IResult>.");
    }

    private static async Task<IResult> AwaitResult<T>(object? task) where T : IResult => await (Task<T>)task!;
}
