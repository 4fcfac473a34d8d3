// End-to-end test of ActorRollup's JSON-RPC with ethers v6 (a client nobody here wrote). Run by the xunit test
// EthersClientTests against a silo it starts; exits non-zero on the first failed check.
//
// Environment:
//   RPC_URL         the endpoint (http://127.0.0.1:PORT/)
//   ETH_CHAIN_ID    the chain's numeric id (decimal) — eth_chainId must answer it
//   ETH_KEYS        comma-separated secp256k1 secret keys (hex) of funded accounts: [0] sends, [1] receives
//   NATIVE_RAW_TX   optional: a signed native (Ed25519) transfer, hex; sent raw, then its block is read with full
//                   transactions (NATIVE_FROM, NATIVE_TO and NATIVE_VALUE say what it must show)
//   TIMEOUT_MS      the whole run's deadline (default 90000)
import assert from "node:assert/strict";
import { JsonRpcProvider, Wallet, getAddress, parseEther } from "ethers";

const started = Date.now();
const deadlineMs = Number(process.env.TIMEOUT_MS ?? 90000);
const remaining = () => Math.max(1000, deadlineMs - (Date.now() - started));
const step = (what) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${what}`);
const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
};
// The node's own message behind an ethers error.
const rpcMessage = (e) => e?.info?.error?.message ?? e?.error?.message ?? e?.message ?? String(e);

async function until(what, probe, done) {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > deadlineMs) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function expectRefusal(what, action, code, messagePart) {
  try {
    await action();
  } catch (e) {
    if (code) assert.equal(e.code, code, `${what}: ethers error code (message: ${rpcMessage(e)})`);
    if (messagePart) assert.match(rpcMessage(e), new RegExp(messagePart, "i"), `${what}: message`);
    step(`${what}: refused as expected (${e.code}: ${rpcMessage(e)})`);
    return;
  }
  assert.fail(`${what}: not refused`);
}

// cacheTimeout -1: ethers otherwise answers a request repeated within 250 ms from its own cache (tx.wait() reads the
// sender's nonce just before the receipt shows; the check of the nonce right after must reach the node).
const provider = new JsonRpcProvider(need("RPC_URL"), undefined, { pollingInterval: 200, cacheTimeout: -1 });
const keys = need("ETH_KEYS").split(",");
assert.ok(keys.length >= 2, "ETH_KEYS names at least two keys");

// Network detection (eth_chainId) and the head.
const network = await provider.getNetwork();
assert.equal(network.chainId, BigInt(need("ETH_CHAIN_ID")), "eth_chainId");
const head = await provider.getBlockNumber();
step(`chain id ${network.chainId}, head ${head}`);

const sender = new Wallet(keys[0], provider);
const recipient = new Wallet(keys[1]).address;
const value = parseEther("1.25");
const before = { sender: await provider.getBalance(sender.address), recipient: await provider.getBalance(recipient) };
const nonceBefore = await provider.getTransactionCount(sender.address, "latest");
assert.ok(before.sender > 10n * value, `the sender is funded (${before.sender})`);

// A legacy (EIP-155) transfer.
const fees = await provider.getFeeData();
assert.ok(fees.gasPrice > 0n, "eth_gasPrice");
const legacy = await sender.sendTransaction({ to: recipient, value, type: 0, gasPrice: fees.gasPrice });
assert.equal(legacy.type, 0);
const legacyReceipt = await legacy.wait(1, remaining());
assert.equal(legacyReceipt.status, 1, "legacy receipt status");
assert.equal(legacyReceipt.gasUsed, 21000n, "legacy gasUsed");
assert.equal(legacyReceipt.gasPrice, fees.gasPrice, "legacy effectiveGasPrice");
step(`legacy ${legacy.hash} in block ${legacyReceipt.blockNumber}`);

// An EIP-1559 (type 2) transfer with the fees ethers chooses (eth_maxPriorityFeePerGas, the block's baseFeePerGas).
const dynamic = await sender.sendTransaction({ to: recipient, value });
assert.equal(dynamic.type, 2);
assert.equal(dynamic.nonce, nonceBefore + 1, "the pending nonce counts the first transfer");
const dynamicReceipt = await dynamic.wait(1, remaining());
assert.equal(dynamicReceipt.status, 1, "type-2 receipt status");
const dynamicBlock = await provider.getBlock(dynamicReceipt.blockNumber);
assert.ok(dynamicBlock.transactions.includes(dynamic.hash), "the block lists the transaction");
const expectedPrice = dynamicBlock.baseFeePerGas + dynamic.maxPriorityFeePerGas < dynamic.maxFeePerGas
  ? dynamicBlock.baseFeePerGas + dynamic.maxPriorityFeePerGas
  : dynamic.maxFeePerGas;
assert.equal(dynamicReceipt.gasPrice, expectedPrice, "type-2 effectiveGasPrice = min(maxFee, baseFee + tip)");
step(`type-2 ${dynamic.hash} in block ${dynamicReceipt.blockNumber} at ${dynamicReceipt.gasPrice} wei/gas`);

// The transactions as the node shows them.
const seen = await provider.getTransaction(dynamic.hash);
assert.equal(seen.from, sender.address);
assert.equal(seen.to, getAddress(recipient));
assert.equal(seen.value, value);
assert.equal(seen.blockNumber, dynamicReceipt.blockNumber);
assert.equal(seen.chainId, network.chainId);

// Balances and nonces: exact.
const after = { sender: await provider.getBalance(sender.address), recipient: await provider.getBalance(recipient) };
assert.equal(after.recipient, before.recipient + 2n * value, "the recipient's balance");
assert.equal(after.sender, before.sender - 2n * value - legacyReceipt.fee - dynamicReceipt.fee, "the sender's balance");
assert.equal(await provider.getTransactionCount(sender.address, "latest"), nonceBefore + 2);
assert.equal(await provider.getTransactionCount(sender.address, "pending"), nonceBefore + 2);
step(`balances: sender ${after.sender}, recipient ${after.recipient}`);

// safe (validated) and finalized, in order, until both cover the second transfer.
const levels = await until("the transfer to be safe and finalized", async () => {
  const finalized = await provider.getBlock("finalized");
  const safe = await provider.getBlock("safe");
  const latest = await provider.getBlock("latest");
  assert.ok(finalized.number <= safe.number && safe.number <= latest.number, `finalized ${finalized.number} <= safe ${safe.number} <= latest ${latest.number}`);
  return { finalized: finalized.number, safe: safe.number, latest: latest.number };
}, (l) => l.finalized >= dynamicReceipt.blockNumber);
assert.equal(await provider.getBalance(sender.address, "finalized"), after.sender, "the sender's balance at the finalized block");
step(`finalized ${levels.finalized} <= safe ${levels.safe} <= latest ${levels.latest}`);

// Refusals ethers recognises.
await expectRefusal("a used nonce", () => sender.sendTransaction({ to: recipient, value: 1n, nonce: nonceBefore, gasLimit: 21000n }), "NONCE_EXPIRED");
const pauper = Wallet.createRandom().connect(provider);
await expectRefusal("an unfunded sender", () => pauper.sendTransaction({ to: recipient, value: 1n, gasLimit: 21000n }), "INSUFFICIENT_FUNDS");
const signedOnce = await sender.signTransaction(await sender.populateTransaction({ to: recipient, value: 1n, type: 0, gasPrice: fees.gasPrice }));
const sentOnce = await provider.broadcastTransaction(signedOnce);
await expectRefusal("a transaction sent twice", () => provider.broadcastTransaction(signedOnce), null, "already known");
assert.equal((await sentOnce.wait(1, remaining())).status, 1, "the transaction sent twice is committed once");
await expectRefusal("a gas price under the base fee", () => sender.sendTransaction({ to: recipient, value: 1n, type: 0, gasPrice: 1n, gasLimit: 21000n }), null, "transaction underpriced");
await expectRefusal("an unknown method", () => provider.send("eth_getLogs", [{}]), "UNSUPPORTED_OPERATION");

// A native (Ed25519) transaction in a block read with full transactions.
if (process.env.NATIVE_RAW_TX) {
  const hash = await provider.send("eth_sendRawTransaction", [process.env.NATIVE_RAW_TX]);
  const receipt = await provider.waitForTransaction(hash, 1, remaining());
  assert.equal(receipt.status, 1, "native receipt status");
  const block = await provider.getBlock(receipt.blockNumber, true);
  const tx = block.prefetchedTransactions.find((t) => t.hash === hash);
  assert.ok(tx, `block ${receipt.blockNumber} holds the native transaction`);
  assert.equal(tx.type, 0x7f, "native transactions show as type 0x7f");
  assert.equal(tx.from, getAddress(need("NATIVE_FROM")));
  assert.equal(tx.to, getAddress(need("NATIVE_TO")));
  assert.equal(tx.value, BigInt(need("NATIVE_VALUE")));
  assert.equal((await provider.getTransaction(hash)).blockNumber, receipt.blockNumber);
  step(`native ${hash} in block ${receipt.blockNumber} (${block.prefetchedTransactions.length} transaction(s) parsed)`);
}

provider.destroy();
console.log("ethers-e2e: all checks passed");
