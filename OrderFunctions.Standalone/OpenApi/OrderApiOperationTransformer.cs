using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrderFunctions.Http;

namespace OrderFunctions.Standalone.OpenApi;

/// <summary>
/// What the generator cannot see in a function's signature: the query parameters it reads itself
/// (<see cref="OpenApiQueryAttribute"/>), an example for each path parameter, the key it needs (401) unless anonymous,
/// the 431 and 500 every function may answer, and the Retry-After header of a 503.
/// </summary>
public sealed class OrderApiOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;

        // Route values the invoker binds to the function's parameters by name ({id:long} -> long id).
        foreach (var route in metadata.OfType<FunctionRoute>())
        {
            foreach (var parameter in route.Method.GetParameters().Where(p => route.Route.Contains("{" + p.Name, StringComparison.OrdinalIgnoreCase)))
            {
                var integer = parameter.ParameterType == typeof(long) || parameter.ParameterType == typeof(int);
                operation.Parameters ??= [];
                if (operation.Parameters.Any(p => p.Name == parameter.Name)) continue;
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = parameter.Name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Description = integer ? $"The {parameter.Name} the API gave it." : null,
                    Schema = new OpenApiSchema
                    {
                        Type = integer ? JsonSchemaType.Integer : JsonSchemaType.String,
                        Format = parameter.ParameterType == typeof(long) ? "int64" : null,
                    },
                    Example = integer ? JsonValue.Create(1) : JsonValue.Create("example"),
                });
            }
        }

        foreach (var query in metadata.OfType<OpenApiQueryAttribute>())
        {
            operation.Parameters ??= [];
            var schema = new OpenApiSchema
            {
                Type = query.Integer ? JsonSchemaType.Integer : JsonSchemaType.String,
                Format = query.Format,
            };
            if (query.Enum.Length > 0) schema.Enum = [.. query.Enum.Select(v => (JsonNode)JsonValue.Create(v))];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name, In = ParameterLocation.Query, Description = query.Description,
                Schema = schema
            });
        }

        operation.Responses ??= [];
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
        }
        else
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(OrderApiOpenApi.HeaderScheme, document)] = [],
                    [new OpenApiSecuritySchemeReference(OrderApiOpenApi.CallerScheme, document)] = [],
                },
                new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(OrderApiOpenApi.QueryScheme, document)] = [],
                    [new OpenApiSecuritySchemeReference(OrderApiOpenApi.CallerScheme, document)] = [],
                },
            ];
            operation.Responses["401"] = Problem(document,
                "No valid function key in x-functions-key or ?code= (the Functions host answers this 401 with an empty body), or, "
                + "when callers are configured, no known caller's key in x-api-key.");
            operation.Responses["403"] = Problem(document,
                "The caller's key does not allow this: the operation (write or read) is not among its operations, or errors names "
                + "each username outside its set ([2].username, or the username filter). Nothing was written.");
        }
        // Kestrel (the standalone host, and the Functions host below it) refuses oversized request headers before any
        // function runs, with an empty body: a 4xx every operation can answer, keyed or not.
        operation.Responses["431"] = new OpenApiResponse
        {
            Description = "The request headers are larger than the web server takes (32 KiB on Kestrel); refused before the function runs, with an " +
                "empty body.",
        };
        operation.Responses["500"] = Problem(document,
            "An unexpected failure: the problem carries a traceId to quote, never the exception.");
        if (operation.Responses.TryGetValue("503", out var unavailable) && unavailable is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before retrying.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }
        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
        },
    };
}
