using System.Numerics;
using ActorRollup.Core;
using ActorRollup.Core.Crypto;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>
/// Nethereum's Web3 client (NuGet, a client nobody here wrote) against a silo serving JSON-RPC: an EIP-1559 transfer with
/// the fees Nethereum chooses itself and a legacy one, each waited for to its receipt; balances and
/// nonces exact; the safe and finalized blocks read in order until they cover the transfers.
/// </summary>
[Collection(RpcClusterCollection.Name)]
public sealed class NethereumClientTests(RpcClusterFixture fixture)
{
    [Fact]
    public async Task Nethereum_sends_transfers_gets_receipts_and_reads_balances_and_the_safe_and_finalized_blocks()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-nethereum", ethAccounts: 2, accounts: 2);
        var ethId = ChainParameters.DeriveEthChainId(chain.Id);
        var key = EthKey.Derive(chain.Genesis.LoadTestSeed, 0);
        var recipient = EthKey.Derive(chain.Genesis.LoadTestSeed, 1).Address.ToString();
        var account = new Account(Convert.ToHexStringLower(key.SecretKey), new BigInteger(ethId));
        var web3 = new Web3(account, fixture.For(chain.Id).Endpoint.ToString());

        Assert.Equal(new BigInteger(ethId), (await web3.Eth.ChainId.SendRequestAsync()).Value);
        var senderBefore = (await web3.Eth.GetBalance.SendRequestAsync(account.Address)).Value;
        var recipientBefore = (await web3.Eth.GetBalance.SendRequestAsync(recipient)).Value;

        // EIP-1559 with Nethereum's own fee suggestion, then a legacy transfer.
        var transfers = web3.Eth.GetEtherTransferService();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var dynamic = await transfers.TransferEtherAndWaitForReceiptAsync(recipient, 1.5m, cancellationToken: deadline.Token);
        Assert.Equal(1, (int)dynamic.Status.Value);
        Assert.Equal(21_000, (int)dynamic.GasUsed.Value);
        Assert.Equal(new BigInteger(2), dynamic.Type.Value);
        web3.TransactionManager.UseLegacyAsDefault = true;
        var legacy = await transfers.TransferEtherAndWaitForReceiptAsync(recipient, 2.5m, gasPriceGwei: 2, cancellationToken: deadline.Token);
        Assert.Equal(1, (int)legacy.Status.Value);
        Assert.Equal(new BigInteger(0), legacy.Type.Value);
        Assert.Equal(new BigInteger(2_000_000_000), legacy.EffectiveGasPrice.Value);

        // Balances and nonces, exactly.
        var wei = BigInteger.Pow(10, 18);
        var fees = dynamic.GasUsed.Value * dynamic.EffectiveGasPrice.Value + legacy.GasUsed.Value * legacy.EffectiveGasPrice.Value;
        Assert.Equal(recipientBefore + 4 * wei, (await web3.Eth.GetBalance.SendRequestAsync(recipient)).Value);
        Assert.Equal(senderBefore - 4 * wei - fees, (await web3.Eth.GetBalance.SendRequestAsync(account.Address)).Value);
        Assert.Equal(new BigInteger(2), (await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(account.Address, BlockParameter.CreateLatest())).Value);
        Assert.Equal(new BigInteger(2), (await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(account.Address, BlockParameter.CreatePending())).Value);

        // The transactions and their blocks as Nethereum reads them.
        var seen = await web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(legacy.TransactionHash);
        Assert.Equal(legacy.BlockHash, seen.BlockHash);
        Assert.Equal(account.Address.ToLowerInvariant(), seen.From.ToLowerInvariant());
        var block = await web3.Eth.Blocks.GetBlockWithTransactionsByHash.SendRequestAsync(legacy.BlockHash);
        Assert.Contains(block.Transactions, t => t.TransactionHash == legacy.TransactionHash);
        Assert.Equal(legacy.BlockNumber.Value, block.Number.Value);

        // safe and finalized: in order, until both cover the second transfer.
        var finalizedTag = new BlockParameter();
        finalizedTag.SetValue(BlockParameter.BlockParameterType.finalized);
        var safeTag = new BlockParameter();
        safeTag.SetValue(BlockParameter.BlockParameterType.safe);
        await Poll.Until(async () =>
        {
            var finalized = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(finalizedTag);
            var safe = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(safeTag);
            var latest = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
            Assert.True(finalized.Number.Value <= safe.Number.Value && safe.Number.Value <= latest.Number.Value,
                $"finalized {finalized.Number.Value} <= safe {safe.Number.Value} <= latest {latest.Number.Value}");
            return (Finalized: finalized.Number.Value, Safe: safe.Number.Value);
        }, l => l.Finalized >= legacy.BlockNumber.Value && l.Safe >= legacy.BlockNumber.Value, TimeSpan.FromSeconds(60), "the transfers safe and finalized");
        Assert.Equal(senderBefore - 4 * wei - fees, (await web3.Eth.GetBalance.SendRequestAsync(account.Address, finalizedTag)).Value);
    }
}
