namespace OrderFunctions.Http;

/// <summary>
/// Documents a query parameter a function reads from <c>request.Query</c> itself (the worker binds none): the OpenAPI
/// document lists it under the function's operation.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class OpenApiQueryAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;

    /// <summary>True when the value is an integer; a string otherwise.</summary>
    public bool Integer { get; init; }

    /// <summary>The OpenAPI format, e.g. "date-time"; null for none.</summary>
    public string? Format { get; init; }

    /// <summary>The allowed values; empty for any.</summary>
    public string[] Enum { get; init; } = [];
}
