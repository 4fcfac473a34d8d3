using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRollup.Abstractions.Security;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Rpc;

/// <summary>The positional parameters of one call, with the checks every method makes on them.</summary>
public sealed class RpcParams(string method, JsonElement[] items)
{
    public int Count => items.Length;

    public JsonElement Required(int index, string name)
    {
        if (index >= items.Length || items[index].ValueKind == JsonValueKind.Null)
            throw new RpcException(RpcErrors.InvalidParams, $"missing value for required argument {index} ({name}) of {method}");
        return items[index];
    }

    /// <summary>The parameter, or null when absent or JSON null.</summary>
    public JsonElement? Optional(int index) =>
        index < items.Length && items[index].ValueKind != JsonValueKind.Null ? items[index] : null;

    public void AtMost(int count)
    {
        if (items.Length > count)
            throw new RpcException(RpcErrors.InvalidParams, $"too many arguments for {method}: want at most {count}, got {items.Length}");
    }
}

/// <summary>
/// JSON-RPC 2.0 over one request body (https://www.jsonrpc.org/specification): a single request or a batch, each
/// checked (jsonrpc "2.0", a string method, positional params, an id that is a string, a number or null), dispatched to
/// its method and answered with a result or an error. Notifications (no id) get no answer. Every failure is an error
/// object with a standard code and a one-line message; nothing else ever leaves (no stack trace).
/// </summary>
public sealed class JsonRpcDispatcher(IReadOnlyDictionary<string, Func<string, RpcParams, CancellationToken, Task<JsonNode?>>> methods,
    RpcSettings settings, ILogger logger)
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = RpcSettings.MaxJsonDepth };

    /// <summary>The response body for <paramref name="body"/> addressed to <paramref name="chainId"/>; null when there is
    /// nothing to answer (notifications only).</summary>
    public async Task<JsonNode?> HandleAsync(ReadOnlyMemory<byte> body, string chainId, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, ParseOptions);
        }
        catch (JsonException e)
        {
            return Error(null, RpcErrors.ParseError, "parse error: " + OneLine(e.Message));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array) return await HandleOneAsync(root, chainId, cancellationToken);
            var count = root.GetArrayLength();
            if (count == 0) return Error(null, RpcErrors.InvalidRequest, "empty batch");
            if (count > settings.MaxBatchSize)
                return Error(null, RpcErrors.InvalidRequest, $"batch of {count} requests is longer than Rpc:MaxBatchSize ({settings.MaxBatchSize})");
            var answers = new JsonArray();
            foreach (var request in root.EnumerateArray())
                if (await HandleOneAsync(request, chainId, cancellationToken) is { } answer) answers.Add(answer);
            return answers.Count == 0 ? null : answers;
        }
    }

    private async Task<JsonNode?> HandleOneAsync(JsonElement request, string chainId, CancellationToken cancellationToken)
    {
        if (request.ValueKind != JsonValueKind.Object) return Error(null, RpcErrors.InvalidRequest, $"invalid request: expected an object, got {EthHex.Kind(request)}");
        bool notification = !request.TryGetProperty("id", out var idElement);
        JsonNode? id = null;
        if (!notification)
        {
            if (idElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
                return Error(null, RpcErrors.InvalidRequest, "invalid request: id must be a string, a number or null");
            id = JsonNode.Parse(idElement.GetRawText());
        }
        JsonNode? answer = await AnswerAsync(request, id, chainId, cancellationToken);
        return notification ? null : answer;
    }

    private async Task<JsonNode> AnswerAsync(JsonElement request, JsonNode? id, string chainId, CancellationToken cancellationToken)
    {
        if (!request.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
            return Error(id, RpcErrors.InvalidRequest, "invalid request: jsonrpc must be \"2.0\"");
        if (!request.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
            return Error(id, RpcErrors.InvalidRequest, "invalid request: method must be a string");
        var method = methodElement.GetString()!;
        JsonElement[] items = [];
        if (request.TryGetProperty("params", out var parameters))
        {
            items = parameters.ValueKind switch
            {
                JsonValueKind.Array => parameters.EnumerateArray().ToArray(),
                JsonValueKind.Null => [],
                JsonValueKind.Object => null!,
                _ => null!,
            };
            if (items is null)
                return parameters.ValueKind == JsonValueKind.Object
                    ? Error(id, RpcErrors.InvalidParams, "invalid params: by-name parameters are not supported; give an array")
                    : Error(id, RpcErrors.InvalidRequest, "invalid request: params must be an array");
        }
        if (!methods.TryGetValue(method, out var handler))
            return Error(id, RpcErrors.MethodNotFound, $"the method {Printable(method)} does not exist/is not available");
        try
        {
            var result = await handler(chainId, new RpcParams(method, items), cancellationToken);
            return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result };
        }
        catch (RpcException e)
        {
            return Error(id, e.Code, e.Message, e.ErrorData);
        }
        catch (CallRefusedException e) when (e.Reason == CallRefusal.Pruned)
        {
            return Error(id, RpcErrors.Server, "pruned history unavailable: " + OneLine(e.Message), new JsonObject { ["refusal"] = e.Reason });
        }
        catch (CallRefusedException e)
        {
            return Error(id, RpcErrors.Server, $"refused ({e.Reason}): {OneLine(e.Message)}", new JsonObject { ["refusal"] = e.Reason });
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            logger.LogWarning("JSON-RPC {Method}: the cluster did not answer: {Error}", Printable(method), OneLine(e.Message));
            return Error(id, RpcErrors.Internal, "internal error: the cluster did not answer in time");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Error(id, RpcErrors.Internal, "internal error: the request was cancelled");
        }
        catch (Exception e)
        {
            logger.LogError(e, "JSON-RPC {Method} failed", Printable(method));
            return Error(id, RpcErrors.Internal, "internal error");
        }
    }

    public static JsonObject Error(JsonNode? id, int code, string message, JsonNode? data = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null) error["data"] = data;
        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["error"] = error };
    }

    /// <summary>A client's string as it may appear in a message: at most 64 printable ASCII characters.</summary>
    private static string Printable(string text)
    {
        var chars = text.Take(64).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray();
        return new string(chars) + (text.Length > 64 ? "…" : "");
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
