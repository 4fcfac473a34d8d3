using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Core;
using ActorRollup.Core.Primitives;
using ActorRollup.Harness.Cluster;
using ActorRollup.Harness.Commands;
using Token = ActorRollup.Core.Primitives.Token;

namespace ActorRollup.Harness.Output;

/// <summary>Exit codes of the cluster commands beyond <see cref="Cli"/>'s (0 success, 1 internal, 2 usage, 3 unreachable).</summary>
public static class HarnessExit
{
    /// <summary>The chain refused the request (admission or staking reason other than Ok) or does not know the thing asked for.</summary>
    public const int Refused = 4;

    /// <summary>A --wait or --timeout deadline passed before the awaited level was reached.</summary>
    public const int TimedOut = 5;

    /// <summary><c>verify</c> found a violation: a guarantee of the protocol does not hold on the chain (the same code
    /// <c>loadtest</c> exits with when a run loses, duplicates or miscounts anything).</summary>
    public const int AuditFailed = 4;
}

/// <summary>Shared option builders and value parsers of the cluster commands: every bad value is a parse error, so
/// <see cref="Cli"/> reports it as one <c>error: …</c> line and exit code 2 before any cluster is contacted.</summary>
public static class CommandSupport
{
    /// <summary><see cref="ClusterOptions.Gateway"/>, with each value checked to be host:port (a typo is bad input, exit 2).</summary>
    public static Option<string[]> Gateway()
    {
        var option = ClusterOptions.Gateway();
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                var text = token.Value;
                if (!Cluster.ClusterConnection.TrySplitGateway(text, out _, out _))
                {
                    result.AddError($"--gateway '{text}' is not host:port (port 1-65535)");
                    return;
                }
            }
        });
        return option;
    }

    /// <summary><see cref="ClusterOptions.Chain"/>, with the id checked against the chain-id rules.</summary>
    public static Option<string?> Chain()
    {
        var option = ClusterOptions.Chain();
        option.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
            if (value is not null && !ChainParameters.IsValidChainId(value))
                result.AddError($"--chain '{value}' is not a chain id (1-32 characters of a-z, 0-9 and '-')");
        });
        return option;
    }

    public static string? SingleToken(ArgumentResult result, string option)
    {
        if (result.Tokens.Count == 1) return result.Tokens[0].Value;
        result.AddError($"{option} expects exactly one value");
        return null;
    }

    /// <summary>A token amount: "12", "12.5" (tokens) or "12wei" (base units).</summary>
    public static Func<ArgumentResult, UInt128> TokenAmount(string option, bool allowZero) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return 0;
        if (!Token.TryParse(text, out var amount))
        {
            result.AddError($"{option} must be an amount of tokens like 12 or 0.5 (or base units like 1000wei), got '{text}'");
            return 0;
        }
        if (amount == 0 && !allowZero) result.AddError($"{option} must be more than 0");
        return amount;
    };

    /// <summary>An integer within [min, max].</summary>
    public static Func<ArgumentResult, int> Int(string option, int min, int max = int.MaxValue) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return 0;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            result.AddError(max == int.MaxValue
                ? $"{option} must be an integer of at least {min}, got '{text}'"
                : $"{option} must be an integer from {min} to {max}, got '{text}'");
            return 0;
        }
        return value;
    };

    /// <summary>An unsigned 64-bit integer of at least <paramref name="min"/>.</summary>
    public static Func<ArgumentResult, ulong> ULong(string option, ulong min = 0) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return 0;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            result.AddError($"{option} must be an unsigned integer of at least {min}, got '{text}'");
            return 0;
        }
        return value;
    };

    public static Func<ArgumentResult, Address> AddressValue(string option) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return default;
        if (Address.TryParse(text, out var address)) return address;
        result.AddError($"{option} must be a 20-byte 0x-hex address, got '{text}'");
        return default;
    };

    /// <summary>A member id (sequencer or validator): non-empty, no '/', no whitespace.</summary>
    public static Func<ArgumentResult, string> MemberId(string option) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return "";
        if (text.Length == 0 || text.Length > 64 || text.Contains('/') || text.Any(char.IsWhiteSpace))
        {
            result.AddError($"{option} must be a member id without '/' or spaces (1-64 characters), got '{text}'");
            return "";
        }
        return text;
    };
}

/// <summary>
/// One command's connection to a chain: the cluster (embedded or over --gateway), the chain id, and the chain's
/// genesis (null when no such chain exists there — the command then reports bad input).
/// </summary>
public sealed class ChainSession : IAsyncDisposable
{
    private ChainSession(ClusterConnection connection, string chainId, ChainGenesis? genesis)
    {
        Connection = connection;
        ChainId = chainId;
        Genesis = genesis;
    }

    public ClusterConnection Connection { get; }
    public string ChainId { get; }
    public ChainGenesis? Genesis { get; }
    public IGrainFactory Grains => Connection.Grains;
    public IChainGrain Chain => Grains.Chain(ChainId);

    /// <summary>The one-line error for a chain that does not exist.</summary>
    public string MissingChain => $"chain '{ChainId}' does not exist on the {(Connection.Embedded ? "embedded silo" : "cluster at " + Connection.Where)}";

    public static Task<ChainSession> OpenAsync(ParseResult parse, Option<string[]> gateway, Option<string?> chain, CancellationToken cancellationToken) =>
        OpenAsync(parse, parse.GetValue(gateway) ?? [], chain, cancellationToken);

    /// <summary>The same, with the gateways given (status finds them in a local cluster's state folder when --gateway is absent).</summary>
    public static async Task<ChainSession> OpenAsync(ParseResult parse, IReadOnlyList<string> gateways, Option<string?> chain, CancellationToken cancellationToken)
    {
        var (connection, chainId) = await ClusterOptions.ConnectAsync(parse, gateways, chain, cancellationToken);
        try
        {
            var genesis = await connection.Grains.Chain(chainId).GetGenesis();
            return new ChainSession(connection, chainId, genesis);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
