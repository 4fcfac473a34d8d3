using ActorRollup.Core;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>
/// ethers v6, a client nobody here wrote, against the silo executable serving JSON-RPC (tests/eth-clients/ethers-e2e.mjs):
/// a wallet sends a legacy and an EIP-1559 transfer and waits for their receipts, balances and nonces come out exact,
/// the safe and finalized blocks are read in order until they cover the transfers, the refusals carry the messages
/// ethers recognises, and a block holding a native (Ed25519) transaction parses with full transactions.
/// </summary>
public sealed class EthersClientTests
{
    [NodeFact]
    public async Task Ethers_sends_transfers_gets_receipts_and_reads_balances_and_the_safe_and_finalized_blocks()
    {
        var chainId = ("ethers-" + Guid.NewGuid().ToString("N"))[..20];
        const string seed = "it/ethers-loadtest";
        var (settings, rpcPort) = SiloProcess.OwnPorts(chainId, new Dictionary<string, string>
        {
            ["Chain:ChainId"] = chainId,
            ["Chain:BlockIntervalMs"] = "100",
            ["Chain:EpochLength"] = "50",
            ["Chain:BatchSize"] = "5",
            ["Chain:ChallengeWindow"] = "10",
            ["Chain:CommitteeSize"] = "4",
            ["Genesis:Sequencers"] = "4",
            ["Genesis:Validators"] = "3",
            ["Genesis:LoadTestAccounts"] = "2",
            ["Genesis:LoadTestEthAccounts"] = "2",
            ["Genesis:LoadTestSeed"] = seed,
        });
        await using var silo = await SiloProcess.StartAsync(settings, rpc: true, TimeSpan.FromSeconds(90));

        var sender = EthKey.Derive(seed, 0);
        var recipient = EthKey.Derive(seed, 1);
        using var nativeSender = SigningKey.Derive(seed, 0);
        using var nativeRecipient = SigningKey.Derive(seed, 1);
        var value = (UInt128)7_000_000_000_000_000_000UL;
        var native = Transaction.Create(nativeSender, chainId, nativeRecipient.Address, value, 0, 1_000_000_000);
        var environment = new Dictionary<string, string>
        {
            ["RPC_URL"] = $"http://127.0.0.1:{rpcPort}/",
            ["ETH_CHAIN_ID"] = ChainParameters.DeriveEthChainId(chainId).ToString(),
            ["ETH_KEYS"] = string.Join(",", Convert.ToHexStringLower(sender.SecretKey), Convert.ToHexStringLower(recipient.SecretKey)),
            ["NATIVE_RAW_TX"] = "0x" + Convert.ToHexStringLower(native.Encoded),
            ["NATIVE_FROM"] = nativeSender.Address.ToString(),
            ["NATIVE_TO"] = nativeRecipient.Address.ToString(),
            ["NATIVE_VALUE"] = value.ToString(),
            ["TIMEOUT_MS"] = "120000",
        };
        var (exit, output) = await NodeScript.RunAsync("ethers-e2e.mjs", environment, TimeSpan.FromSeconds(150));
        Assert.True(exit == 0, $"node exited {exit}:\n{output}\n--- silo ---\n{silo.Output}");
        Assert.Contains("ethers-e2e: all checks passed", output);
    }
}
