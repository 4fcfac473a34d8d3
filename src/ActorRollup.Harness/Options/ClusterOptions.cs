using System.CommandLine;
using ActorRollup.Core;
using ActorRollup.Harness.Connection;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.Harness.Options;

/// <summary>Options every cluster command shares: where the cluster is, which chain, and the local cluster's state folder.</summary>
public static class ClusterOptions
{
    /// <summary>--gateway host:port (repeatable), each value checked to be host:port (a typo is bad input, exit 2).</summary>
    public static Option<string[]> Gateway()
    {
        var option = new Option<string[]>("--gateway")
        {
            Description = "Gateway host:port of a running cluster (repeatable). Without it, an embedded silo runs in this process.",
            HelpName = "host:port",
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.ZeroOrMore,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!ClusterConnection.TrySplitGateway(token.Value, out _, out _))
                {
                    result.AddError($"--gateway '{token.Value}' is not host:port (port 1-65535)");
                    return;
                }
            }
        });
        return option;
    }

    /// <summary>--chain id, checked against the chain-id rules.</summary>
    public static Option<string?> Chain()
    {
        var option = new Option<string?>("--chain")
        {
            Description = "Chain id (default: Chain:ChainId from appsettings.json).",
            HelpName = "id",
        };
        option.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
            if (value is not null && !ChainParameters.IsValidChainId(value))
                result.AddError($"--chain '{value}' is not a chain id (1-32 characters of a-z, 0-9 and '-')");
        });
        return option;
    }

    /// <summary>--state: the folder in which <c>rollup cluster up</c> records the local cluster it started.</summary>
    public static Option<string> State() => new("--state")
    {
        Description = "State folder of the local cluster (records, logs, default Redis data).",
        HelpName = "dir",
        DefaultValueFactory = _ => ClusterStateFolder.DefaultFolder,
    };
}
