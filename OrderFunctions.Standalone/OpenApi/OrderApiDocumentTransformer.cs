using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrderFunctions.Http;
using OrderFunctions.Orders;

namespace OrderFunctions.Standalone.OpenApi;

/// <summary>
/// The document as a whole, as third-party tools read it (Redocly and Spectral lint it, Kiota generates from it): title
/// and relative server, the two ways to send a function key, the posted order (which no signature names: the functions
/// read it themselves), amounts as exact decimals, the problem extensions the server writes (traceId, existingId,
/// index), the real Content-Type of JSON answers, the headers of the create answers, and examples.
/// </summary>
public sealed class OrderApiDocumentTransformer : IOpenApiDocumentTransformer
{
    private const string OrderRequest = "OrderRequest";
    private const string StoredOrder = "StoredOrder";
    private const string ProblemDetails = "ProblemDetails";
    private const string ValidationProblemDetails = "HttpValidationProblemDetails";
    private const string ConflictProblemDetails = "ConflictProblemDetails";
    private const string PreconditionProblemDetails = "PreconditionFailedProblemDetails";

    /// <summary>
    /// What the server writes for every JSON answer (System.Text.Json through the typed results); the document says the
    /// same so that a tester comparing the header with the document (Dredd) matches it. The document itself is served
    /// as plain application/json and problems as application/problem+json.
    /// </summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>A decimal written as JSON text: what the server reads from a string amount (decimal.TryParse, invariant).</summary>
    public const string AmountStringPattern = @"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$";

    private const string SendNote =
        " An exact decimal (format decimal), never rounded: JavaScript clients should send it as a string.";

    private const string ReadNote =
        "An exact decimal (format decimal), written as a JSON number: JavaScript clients should read it as a string"
        + " (JSON.parse with a reviver taking context.source, or a lossless JSON parser), not as a number that keeps 15 digits.";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OrderFunctions",
            Version = "1",
            Description = "Order ingestion for trading software: post orders, read them back, per-market statistics. "
                + "Every error is RFC 9457 problem details (application/problem+json), and no error writes anything. "
                + "Sizes, prices and every statistics amount are exact decimals (format decimal, up to 10 digits before and 8 "
                + "after the point for size and price): JavaScript clients should send them as strings (\"43000.12345678\"), "
                + "which the server accepts wherever it accepts a number, and read them as strings (JSON.parse with a reviver "
                + "that takes context.source, or a lossless JSON parser), since a JavaScript number keeps about 15 digits.",
        };
        document.Servers =
        [
            new OpenApiServer
            {
                Url = "/", Description = "The host serving this document: relative, so the same document works locally and deployed.",
            },
        ];
        document.Tags = new HashSet<OpenApiTag>
        {
            new()
            {
                Name = "Orders", Description = "Post orders (one, or a batch stored all or nothing), read them back, and per-market statistics.",
            },
            new() { Name = "Service", Description = "Health for load balancers, and this document." },
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [OrderApiOpenApi.HeaderScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "x-functions-key",
                Description = "A function key (Azure: az functionapp function keys list; the standalone host: OrderApi:Keys).",
            },
            [OrderApiOpenApi.CallerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = OrderHeaders.ApiKey,
                Description = "A caller's key (OrderAccess:Callers): who posts and reads, for which usernames. Needed only when callers "
                    + "are configured; without any the API is open.",
            },
            [OrderApiOpenApi.QueryScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "code",
                Description = "The same function key as a query parameter; never written to the request log.",
            },
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[OrderRequest] = OrderRequestSchema();
        DescribeAmounts(document);
        DescribeAuditTrail(document);
        DescribeProblems(document);

        foreach (var path in document.Paths.Values)
        {
            if (path.Operations is null) continue;
            foreach (var (method, operation) in path.Operations)
            {
                switch (operation.OperationId)
                {
                    case nameof(CreateOrder): DescribeCreateOrder(operation, document); break;
                    case nameof(CreateOrders): DescribeCreateOrders(operation, document); break;
                    case nameof(Health) when method == HttpMethod.Head: DescribeHealthHead(operation); break;
                }
                if (operation.OperationId != nameof(GetOpenApiDocument)) UseServerJsonContentType(operation);
            }
        }
        return Task.CompletedTask;
    }

    // The functions read the posted order themselves (OrderJsonReader), so no signature shows it to the generator:
    // the schema is written here from the rules in OrderValidator and OrderJsonReader.
    private static OpenApiSchema OrderRequestSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An order as posted. Any other field is refused with a 400, so a typo is never silently dropped.",
        Required = new HashSet<string> { "timestamp", "username", "market", "side", "size", "price" },
        AdditionalPropertiesAllowed = false,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["timestamp"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "ISO 8601, T or a space between date and time, up to 7 fraction digits; without an offset it is UTC.",
                Examples = [JsonValue.Create("2026-11-27T10:15:30.123Z")],
            },
            ["username"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, MinLength = 1, MaxLength = OrderValidator.MaxUsernameLength,
                Description = "Not blank, no control characters.",
            },
            ["market"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, MinLength = 1, MaxLength = OrderValidator.MaxMarketLength, Pattern = "^[A-Za-z0-9][A-Za-z0-9./_:-]*$",
                Description = "Letters, digits and . - / _ : starting with a letter or digit; case matters.",
            },
            ["side"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "buy or sell, any case; stored lower case." },
            ["size"] = Amount("Greater than 0; at most 10 digits before and 8 after the decimal point. A JSON number or a string holding one.",
                AmountStringPattern),
            ["price"] = Amount("Greater than 0; at most 10 digits before and 8 after the decimal point. A JSON number or a string holding one.",
                AmountStringPattern),
            ["clientOrderId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null, MinLength = 1, MaxLength = OrderValidator.MaxClientOrderIdLength,
                Pattern = "^[\\x21-\\x7E]+$",
                Description = "Optional, unique per username: a retry with the same id and content answers 200 with the stored order.",
            },
        },
    };

    // number or string, format decimal: Kiota (and format-aware generators) map it to decimal, and a JSON Schema
    // validator still accepts the strings the server reads.
    private static OpenApiSchema Amount(string description, string pattern) => new()
    {
        Type = JsonSchemaType.Number | JsonSchemaType.String,
        Format = "decimal",
        Pattern = pattern,
        Description = description + SendNote,
    };

    // The generator describes C# decimal as format double (a binary float): every amount the server writes is exact.
    private static void DescribeAmounts(OpenApiDocument document)
    {
        foreach (var schema in document.Components!.Schemas!.Values.OfType<OpenApiSchema>())
        {
            foreach (var property in (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).Values)
            {
                if (property is OpenApiSchema amount && amount.Format == "double" && amount.Type?.HasFlag(JsonSchemaType.Number) == true)
                {
                    amount.Format = "decimal";
                    amount.Description = ReadNote;
                }
            }
        }
    }

    // receivedAt has a converter of its own (7 fraction digits), which hides its type from the generator.
    private static void DescribeAuditTrail(OpenApiDocument document)
    {
        if (!document.Components!.Schemas!.TryGetValue(StoredOrder, out var found) || found is not OpenApiSchema stored) return;
        stored.Properties ??= new Dictionary<string, IOpenApiSchema>();
        stored.Properties["receivedAt"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Format = "date-time",
            Pattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$",
            Description = "Audit trail: the server's UTC clock when it accepted the request that stored this order, 7 fraction digits "
                + "(whole microseconds). Absent on orders stored before the audit trail existed.",
            Examples = [JsonValue.Create("2026-12-06T19:56:52.1234560Z")],
        };
        stored.Properties["storedBy"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "Audit trail: the name of the caller (OrderAccess:Callers) whose key stored this order. Absent when the API "
                + "was open (no callers configured) and on orders stored before the audit trail existed.",
        };
    }

    // Extensions the server adds to problem details: traceId (ASP.NET Core's problem writer on the standalone host, and
    // every 500), and for a clientOrderId conflict existingId (and index in a batch), as their own schema so a
    // generated client reads them as typed fields.
    private static void DescribeProblems(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas!;
        var traceId = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The trace id of this request, to quote when reporting a failure."
        };
        foreach (var name in new[] { ProblemDetails, ValidationProblemDetails })
        {
            if (schemas.TryGetValue(name, out var found) && found is OpenApiSchema problem)
            {
                problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
                problem.Properties["traceId"] = traceId;
                problem.Description = name == ProblemDetails
                    ? "RFC 9457 problem details."
                    : "RFC 9457 problem details of a refused request: errors maps each offending field ([3].price: the fourth order of a batch) to " +
                        "its messages.";
            }
        }
        if (schemas.TryGetValue(ProblemDetails, out var baseProblem) && baseProblem is OpenApiSchema problemDetails)
        {
            var properties = new Dictionary<string, IOpenApiSchema>(problemDetails.Properties!)
            {
                ["existingId"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer, Format = "int64",
                    Description = "The id of the order stored before with this clientOrderId."
                },
                ["index"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer, Format = "int32",
                    Description = "In a batch: the position (from 0) of the conflicting order."
                },
            };
            schemas[ConflictProblemDetails] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "A clientOrderId used before by the same username for a different order; nothing was written.",
                Required = new HashSet<string> { "existingId" },
                Properties = properties,
            };
            schemas[PreconditionProblemDetails] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = $"The order named by {OrderHeaders.IfOrderStored} was not stored in time; nothing was written.",
                Required = new HashSet<string> { "username", "clientOrderId" },
                Properties = new Dictionary<string, IOpenApiSchema>(problemDetails.Properties!)
                {
                    ["username"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The username of the order named." },
                    ["clientOrderId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The clientOrderId of the order named." },
                },
            };
        }
    }

    private static void DescribeCreateOrder(OpenApiOperation operation, OpenApiDocument document)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "One order.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(OrderRequest, document), Example = Json(OneOrder) },
            },
        };
        var stored = new OpenApiSchemaReference(StoredOrder, document);
        if (Response(operation, "201") is { } created)
        {
            created.Content!["application/json"].Schema = stored;
            created.Content["application/json"].Example = Json(StoredExample);
            created.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Location"] = new OpenApiHeader
                {
                    Description = "The path of the stored order (/API/orders/{id}).", Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = JsonValue.Create("/API/orders/1"),
                },
            };
        }
        DescribeReplayed(operation, stored);
        if (Response(operation, "400") is { } invalid) invalid.Content!["application/problem+json"].Example = Json(ValidationExample);
        DescribeConflict(operation, document, ConflictExample);
        DescribePrecondition(operation, document);
    }

    private static void DescribeCreateOrders(OpenApiOperation operation, OpenApiDocument document)
    {
        var order = new OpenApiSchemaReference(OrderRequest, document);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = $"Up to {OrderBatchLimits.MaxOrders:N0} orders: a JSON array, or NDJSON (one order object per line).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array, Items = order, MinItems = 1,
                        MaxItems = OrderBatchLimits.MaxOrders
                    },
                    Example = Json($"[{OneOrder},{SecondOrder}]"),
                },
                [CreateOrder.NdjsonContentType] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = $"One order object (the OrderRequest schema) per line, up to {OrderBatchLimits.MaxOrders:N0} lines.",
                    },
                    Example = JsonValue.Create($"{OneOrder}\n{SecondOrder}\n"),
                },
            },
        };
        var list = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(StoredOrder, document) };
        // Prefer: return=minimal answers a receipt instead of the list (RFC 7240), with the same statuses. The answers
        // stay typed as the list: a client generated from this document (Kiota) sends no preference and reads a list,
        // where a oneOf would have made every generated client unwrap a union it never receives; and a component
        // schema no answer references is what both linters warn of. So the receipt is described here, in words.
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = OrderHeaders.Prefer, In = ParameterLocation.Header,
            Description = $"{OrderHeaders.ReturnMinimal} (RFC 7240): instead of every stored order, answer a receipt with the same status, " +
                """{"count":2,"created":1,"replayed":1,"firstId":41,"lastId":42} (count: orders in the request, all stored; created: """ +
                "stored by this request; replayed: stored before with the same clientOrderId and content; created + replayed = count; " +
                "firstId and lastId: the ids of the request's first and last order), with Preference-Applied: return=minimal. " +
                "Without it, the list.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Examples = [JsonValue.Create(OrderHeaders.ReturnMinimal)] },
        });
        if (Response(operation, "201") is { } created)
        {
            created.Content!["application/json"].Schema = list;
            created.Content["application/json"].Example = Json($"[{StoredExample},{SecondStoredExample}]");
            created.Headers = new Dictionary<string, IOpenApiHeader> { [OrderHeaders.PreferenceApplied] = PreferenceAppliedHeader() };
        }
        DescribeReplayed(operation, list);
        if (Response(operation, "200") is { Headers: { } headers }) headers[OrderHeaders.PreferenceApplied] = PreferenceAppliedHeader();
        if (Response(operation, "400") is { } invalid) invalid.Content!["application/problem+json"].Example = Json(BatchValidationExample);
        DescribeConflict(operation, document, BatchConflictExample);
        DescribePrecondition(operation, document);
    }

    private static OpenApiHeader PreferenceAppliedHeader() => new()
    {
        Description = $"{OrderHeaders.ReturnMinimal}: the body is the receipt (see the Prefer parameter), as the request asked.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(OrderHeaders.ReturnMinimal)] },
    };

    private static void DescribeReplayed(OpenApiOperation operation, IOpenApiSchema schema)
    {
        if (Response(operation, "200") is not { } replayed) return;
        replayed.Content!["application/json"].Schema = schema;
        replayed.Headers = new Dictionary<string, IOpenApiHeader>
        {
            [CreateOrder.ReplayedHeader] = new OpenApiHeader
            {
                Description = "true: every order was stored before; nothing was written.", Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")] },
            },
        };
    }

    // If-Order-Stored (a sender with two requests in flight keeps its order with it) and its 412.
    private static void DescribePrecondition(OpenApiOperation operation, OpenApiDocument document)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = OrderHeaders.IfOrderStored, In = ParameterLocation.Header,
            Description = "<username>/<clientOrderId>, each part percent-encoded: store this request only after the order it names is " +
                "stored (412 when it is not within OrderStorage:PrecedingOrderWait, 2 seconds by default).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Examples = [JsonValue.Create(PrecedingOrder.Format("alice", "a1b2c3"))] },
        });
        if (Response(operation, "412") is not { } failed) return;
        failed.Content!["application/problem+json"].Schema = new OpenApiSchemaReference(PreconditionProblemDetails, document);
        // The server's own problem for the example order, so the document's detail is the one the server writes.
        var problem = Problems.PrecedingOrderNotStored("alice", "a1b2c3").ProblemDetails;
        failed.Content["application/problem+json"].Example = new JsonObject
        {
            ["type"] = problem.Type, ["title"] = problem.Title, ["status"] = problem.Status, ["detail"] = problem.Detail,
            ["username"] = "alice", ["clientOrderId"] = "a1b2c3",
        };
    }

    private static void DescribeConflict(OpenApiOperation operation, OpenApiDocument document, string example)
    {
        if (Response(operation, "409") is not { } conflict) return;
        conflict.Content!["application/problem+json"].Schema = new OpenApiSchemaReference(ConflictProblemDetails, document);
        conflict.Content["application/problem+json"].Example = Json(example);
    }

    // HEAD answers the GET's status and headers without a body.
    private static void DescribeHealthHead(OpenApiOperation operation)
    {
        operation.OperationId = nameof(Health) + "Head";
        operation.Summary = "Health, without a body";
        foreach (var response in (operation.Responses ?? []).Values.OfType<OpenApiResponse>()) response.Content = null;
    }

    private static void UseServerJsonContentType(OpenApiOperation operation)
    {
        foreach (var response in (operation.Responses ?? []).Values.OfType<OpenApiResponse>())
        {
            if (response.Content?.Remove("application/json", out var media) == true) response.Content[JsonContentType] = media;
        }
    }

    private static OpenApiResponse? Response(OpenApiOperation operation, string status) =>
        operation.Responses?.TryGetValue(status, out var response) == true ? response as OpenApiResponse : null;

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    private const string OneOrder =
        """{"timestamp":"2026-11-27T10:15:30.123Z","username":"alice","market":"BTC-USD","side":"buy","size":"0.1","price":"43000.12345678","clientOrderId":"a1b2c3"}""";

    private const string SecondOrder =
        """{"timestamp":"2026-11-27T10:15:31Z","username":"alice","market":"ETH-USD","side":"sell","size":2.5,"price":2300.5}""";

    private const string StoredExample =
        """
        {"id":1,"timestamp":"2026-11-27T10:15:30.123Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678,
        "clientOrderId":"a1b2c3"}
        """;

    private const string SecondStoredExample =
        """{"id":2,"timestamp":"2026-11-27T10:15:31Z","username":"alice","market":"ETH-USD","side":"sell","size":2.5,"price":2300.5}""";

    private const string ValidationExample =
        """
        {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,
        "errors":{"side":["must be \"buy\" or \"sell\""],"size":["must be greater than 0"],"prcie":["is not a known field"]}}
        """;

    private const string BatchValidationExample =
        """
        {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,
        "errors":{"[3].price":["must be greater than 0"]}}
        """;

    private const string ConflictExample =
        """
        {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,
        "detail":"clientOrderId 'a1b2c3' was already used by 'alice' for a different order (id 1).","existingId":1}
        """;

    private const string BatchConflictExample =
        """
        {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,
        "detail":"Order [0]: clientOrderId 'a1b2c3' was already used by 'alice' for a different order (id 1). Nothing of this request was written.",
        "index":0,"existingId":1}
        """;
}
