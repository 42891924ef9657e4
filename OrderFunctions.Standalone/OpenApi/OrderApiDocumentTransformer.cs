using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrderFunctions.Standalone.OpenApi;

/// <summary>
/// The document as a whole: title, the two ways to send a function key, the shapes of an order body (one object, a
/// JSON array, NDJSON) and of the stored answer (one order or an array), the rules of the posted fields, and examples.
/// </summary>
public sealed class OrderApiDocumentTransformer : IOpenApiDocumentTransformer
{
    private const string OrderRequest = "OrderRequest";
    private const string StoredOrder = "StoredOrder";
    private const int MaxBatch = 10_000;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OrderFunctions",
            Version = "1",
            Description = "Order ingestion for trading software: post orders, read them back, per-market statistics. "
                + "Every error is RFC 9457 problem details (application/problem+json), and no error writes anything.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [OrderApiOpenApi.HeaderScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "x-functions-key",
                Description = "A function key (Azure: az functionapp function keys list; the standalone host: OrderApi:Keys).",
            },
            [OrderApiOpenApi.QueryScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "code",
                Description = "The same function key as a query parameter; never written to the request log.",
            },
        };
        DescribeOrderRequest(document);
        foreach (var path in document.Paths.Values)
        {
            if (path.Operations is null) continue;
            foreach (var operation in path.Operations.Values)
            {
                if (operation.OperationId == nameof(CreateOrder)) DescribeCreateOrder(operation, document);
            }
        }
        return Task.CompletedTask;
    }

    // The generator sees OrderRequest's CLR shape; the rules live in OrderValidator and OrderJsonReader.
    private static void DescribeOrderRequest(OpenApiDocument document)
    {
        if (document.Components?.Schemas?.TryGetValue(OrderRequest, out var found) != true || found is not OpenApiSchema schema) return;
        schema.Description = "An order as posted. Any other field is refused with a 400, so a typo is never silently dropped.";
        schema.Required = new HashSet<string> { "timestamp", "username", "market", "side", "size", "price" };
        schema.AdditionalPropertiesAllowed = false;
        schema.Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["timestamp"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "ISO 8601, T or a space between date and time, up to 7 fraction digits; without an offset it is UTC.",
            },
            ["username"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 64, Description = "Not blank, no control characters." },
            ["market"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, MinLength = 1, MaxLength = 32, Pattern = "^[A-Za-z0-9][A-Za-z0-9./_:-]*$",
                Description = "Letters, digits and . - / _ : starting with a letter or digit; case matters.",
            },
            ["side"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "buy or sell, any case; stored lower case." },
            ["size"] = Decimal("Greater than 0; at most 10 digits before and 8 after the decimal point. A JSON number or a string holding one."),
            ["price"] = Decimal("Greater than 0; at most 10 digits before and 8 after the decimal point. A JSON number or a string holding one."),
            ["clientOrderId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null, MinLength = 1, MaxLength = 64, Pattern = "^[\\x21-\\x7E]+$",
                Description = "Optional, unique per username: a retry with the same id and content answers 200 with the stored order.",
            },
        };
    }

    private static OpenApiSchema Decimal(string description) => new()
    {
        Type = JsonSchemaType.Number | JsonSchemaType.String,
        Description = description,
    };

    private static void DescribeCreateOrder(OpenApiOperation operation, OpenApiDocument document)
    {
        var order = new OpenApiSchemaReference(OrderRequest, document);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "One order (a JSON object), a batch (a JSON array of up to 10,000), or NDJSON (one order object per line).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema { OneOf = [order, new OpenApiSchema { Type = JsonSchemaType.Array, Items = order, MinItems = 1, MaxItems = MaxBatch }] },
                    Examples = new Dictionary<string, IOpenApiExample>
                    {
                        ["one"] = new OpenApiExample { Summary = "One order", Value = Json(OneOrder) },
                        ["batch"] = new OpenApiExample { Summary = "A batch, stored whole or not at all", Value = Json($"[{OneOrder},{SecondOrder}]") },
                    },
                },
                [CreateOrder.NdjsonContentType] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "One order object (the OrderRequest schema) per line, up to 10,000 lines; all or nothing.",
                    },
                    Example = JsonValue.Create($"{OneOrder}\n{SecondOrder}\n"),
                },
            },
        };

        var stored = new OpenApiSchemaReference(StoredOrder, document);
        var oneOrMany = new OpenApiSchema { OneOf = [stored, new OpenApiSchema { Type = JsonSchemaType.Array, Items = stored }] };
        if (operation.Responses?.TryGetValue("201", out var created) == true && created is OpenApiResponse createdResponse)
        {
            var media = createdResponse.Content!["application/json"];
            media.Schema = oneOrMany;
            media.Example = Json(StoredExample);
            createdResponse.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Location"] = new OpenApiHeader { Description = "/API/orders/{id} of a single stored order (absent for a batch).", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }
        if (operation.Responses?.TryGetValue("200", out var replayed) == true && replayed is OpenApiResponse replayedResponse)
        {
            replayedResponse.Content!["application/json"].Schema = oneOrMany;
            replayedResponse.Headers = new Dictionary<string, IOpenApiHeader>
            {
                [CreateOrder.ReplayedHeader] = new OpenApiHeader { Description = "true: nothing was written.", Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }
        if (operation.Responses?.TryGetValue("400", out var invalid) == true && invalid is OpenApiResponse invalidResponse)
        {
            invalidResponse.Content!["application/problem+json"].Example = Json(ValidationExample);
        }
        if (operation.Responses?.TryGetValue("409", out var conflict) == true && conflict is OpenApiResponse conflictResponse)
        {
            conflictResponse.Content!["application/problem+json"].Example = Json(ConflictExample);
        }
    }

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    private const string OneOrder =
        """{"timestamp":"2026-11-27T10:15:30.123Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678,"clientOrderId":"a1b2c3"}""";

    private const string SecondOrder =
        """{"timestamp":"2026-11-27T10:15:31Z","username":"alice","market":"ETH-USD","side":"sell","size":"2.5","price":"2300.5"}""";

    private const string StoredExample =
        """{"id":1,"timestamp":"2026-11-27T10:15:30.123Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678,"clientOrderId":"a1b2c3"}""";

    private const string ValidationExample =
        """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"side":["must be \"buy\" or \"sell\""],"size":["must be greater than 0"],"prcie":["is not a known field"]}}""";

    private const string ConflictExample =
        """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,"detail":"clientOrderId 'a1b2c3' was already used by 'alice' for a different order (id 1).","existingId":1}""";
}
