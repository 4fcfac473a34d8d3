using System.CommandLine;
using System.Diagnostics;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup transfer</c>: signs a native-token transfer with a load-test account's key (derived from the chain's
/// genesis key seed), submits it through admission, prints its hash and the admission verdict; with <c>--wait</c>
/// follows it through soft-confirmation, validation and finality, printing each level with its latency from
/// admission. Exit 4 when admission refuses it, 5 when --wait times out.
/// </summary>
public static class TransferCommand
{
    /// <summary>How many nonces past the account nonce to try when pending transactions of the account hold the lower ones.</summary>
    private const int NonceProbes = 64;

    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var from = new Option<int>("--from-account")
        {
            Description = "Index of the sending load-test account (keys derive from the genesis key seed).",
            HelpName = "n",
            Required = true,
            CustomParser = OptionValues.Int("--from-account", 0),
        };
        var to = new Option<Address?>("--to")
        {
            Description = "Recipient address (0x + 40 hex digits).",
            HelpName = "address",
            CustomParser = r => OptionValues.AddressValue("--to")(r),
        };
        var toAccount = new Option<int?>("--to-account")
        {
            Description = "Recipient: the load-test account with this index.",
            HelpName = "m",
            CustomParser = r => OptionValues.Int("--to-account", 0)(r),
        };
        var amount = new Option<UInt128>("--amount")
        {
            Description = "Value to send, in tokens (12, 0.5) or base units (1000wei).",
            HelpName = "tokens",
            Required = true,
            CustomParser = OptionValues.TokenAmount("--amount", allowZero: true),
        };
        var gasPrice = new Option<ulong?>("--gas-price")
        {
            Description = "Gas price in base units per gas (default: the chain's minimum).",
            HelpName = "wei",
            CustomParser = r => OptionValues.ULong("--gas-price")(r),
        };
        var wait = new Option<TxLevel?>("--wait")
        {
            Description = "Wait until the transaction reaches this level: soft, validated or finalized.",
            HelpName = "level",
            CustomParser = r => ParseLevel(r),
        };
        var timeout = Durations.Option("--timeout", "Longest wait for --wait (default 120s).", BareUnit.Seconds,
            TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(1));

        var command = new Command("transfer", "Sign a transfer from a load-test account, submit it, and optionally wait for its confirmation levels.")
        {
            gateway, chain, from, to, toAccount, amount, gasPrice, wait, timeout,
        };
        command.Validators.Add(result =>
        {
            bool hasTo = result.GetResult(to) is not null, hasAccount = result.GetResult(toAccount) is not null;
            if (hasTo == hasAccount) result.AddError("give exactly one of --to ADDRESS or --to-account M");
            if (result.GetResult(timeout) is { Implicit: false } && result.GetResult(wait) is null) result.AddError("--timeout needs --wait");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            await using var session = await ChainSession.OpenAsync(parse, gateway, chain, cancellationToken);
            if (session.Genesis is not { } genesis) return Cli.Fail(stderr, session.MissingChain);

            var fromIndex = parse.GetValue(from);
            if (fromIndex >= genesis.LoadTestAccounts)
                return Cli.Fail(stderr, $"--from-account {fromIndex} does not exist: chain '{session.ChainId}' has {genesis.LoadTestAccounts} load-test accounts (0..{genesis.LoadTestAccounts - 1})");
            var seed = genesis.LoadTestSeed;
            Address recipient;
            string recipientText;
            if (parse.GetValue(toAccount) is int toIndex)
            {
                if (toIndex >= genesis.LoadTestAccounts)
                    return Cli.Fail(stderr, $"--to-account {toIndex} does not exist: chain '{session.ChainId}' has {genesis.LoadTestAccounts} load-test accounts (0..{genesis.LoadTestAccounts - 1})");
                using var toKey = SigningKey.Derive(seed, (ulong)toIndex);
                recipient = toKey.Address;
                recipientText = $"account {toIndex} ({recipient})";
            }
            else
            {
                recipient = parse.GetValue(to)!.Value;
                recipientText = recipient.ToString();
            }

            using var key = SigningKey.Derive(seed, (ulong)fromIndex);
            var value = parse.GetValue(amount);
            var price = parse.GetValue(gasPrice) ?? genesis.Config.MinGasPrice;
            var admission = session.Grains.GetGrain<IAdmissionGrain>(session.ChainId);
            var account = (await session.Chain.GetAccounts([key.Address]))[0];

            // The account nonce is the next one to execute; admitted but uncommitted transactions of the same account
            // hold the nonces after it, so NonceUsed (or Duplicate: the same transfer is already pending at that nonce)
            // moves on to the next nonce, a bounded number of times.
            var nonce = account.Nonce;
            Transaction tx;
            AdmissionResult result;
            var clock = Stopwatch.StartNew();
            while (true)
            {
                tx = Transaction.Create(key, session.ChainId, recipient, value, nonce, price);
                result = (await admission.Submit([tx.Encoded]))[0];
                if (result.Reason is not (AdmissionReason.NonceUsed or AdmissionReason.Duplicate) || nonce >= account.Nonce + NonceProbes) break;
                nonce++;
            }
            var submitMs = clock.ElapsedMilliseconds;

            stdout.WriteLine($"tx {tx.Hash}");
            stdout.WriteLine(Terminal.Field("from", $"account {fromIndex} ({key.Address})"));
            stdout.WriteLine(Terminal.Field("to", recipientText));
            stdout.WriteLine(Terminal.Field("value", Terminal.Tokens(value)));
            stdout.WriteLine(Terminal.Field("nonce", $"{nonce}   gas price {price} wei   max fee {Terminal.Tokens(tx.MaxFee)}"));
            stdout.WriteLine(Terminal.Field("admission", $"{result.Reason} ({(int)result.Reason})" +
                (result.Admitted ? $"   arrival sequence {result.ArrivalSequence}   {submitMs} ms" : "")));
            stdout.Flush();
            if (!result.Admitted)
            {
                stderr.WriteLine($"error: transaction refused by admission: {result.Reason} ({(int)result.Reason})");
                return ExitCodes.Refused;
            }

            if (parse.GetValue(wait) is not { } level) return ExitCodes.Success;
            var reached = await FollowAsync(session.Chain, tx.Hash, level, parse.GetValue(timeout), stdout, cancellationToken);
            if (reached) return ExitCodes.Success;
            stderr.WriteLine($"error: transaction {tx.Hash} did not reach {Name(level)} within {Durations.Format(parse.GetValue(timeout))}");
            return ExitCodes.TimedOut;
        });
        return command;
    }

    /// <summary>Polls the transaction's status, printing each level up to <paramref name="target"/> as it is reached (and
    /// a rollback, should one send it back), until the target level or the deadline. True when the target level was reached.</summary>
    private static async Task<bool> FollowAsync(IChainGrain chain, Hash32 hash, TxLevel target, TimeSpan timeout, TextWriter stdout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var shown = TxLevel.Admitted;
        while (deadline.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
        {
            var status = await chain.GetTxStatus(hash);
            if (status.Level < shown && shown > TxLevel.Admitted)
            {
                stdout.WriteLine(Terminal.Field("rolled back", $"now {Name(status.Level)}"));
                shown = status.Level < TxLevel.Admitted ? TxLevel.Admitted : status.Level;
            }
            for (var next = shown + 1; next <= status.Level && next <= target; next++)
            {
                var at = next switch
                {
                    TxLevel.SoftConfirmed => status.SoftConfirmedAtMs,
                    TxLevel.Validated => status.ValidatedAtMs,
                    _ => status.FinalizedAtMs,
                };
                stdout.WriteLine(Terminal.Field(Name(next), $"height {status.Height}   {Terminal.Latency(status.AdmittedAtMs, at)} from admission"));
                stdout.Flush();
                shown = next;
            }
            if (status.Level >= target) return true;
            try
            {
                await Task.Delay(25, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return false;
    }

    internal static string Name(TxLevel level) => level switch
    {
        TxLevel.SoftConfirmed => "soft-confirmed",
        TxLevel.Validated => "validated",
        TxLevel.Finalized => "finalized",
        TxLevel.Admitted => "admitted",
        _ => "unknown",
    };

    private static TxLevel? ParseLevel(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = OptionValues.SingleToken(result, "--wait");
        switch (text)
        {
            case null: return null;
            case "soft" or "soft-confirmed": return TxLevel.SoftConfirmed;
            case "validated": return TxLevel.Validated;
            case "finalized" or "final": return TxLevel.Finalized;
            default:
                result.AddError($"--wait must be soft, validated or finalized, got '{text}'");
                return null;
        }
    }
}
