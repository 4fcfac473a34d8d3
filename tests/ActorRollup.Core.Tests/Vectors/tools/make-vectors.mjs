// Regenerates the vector files beside this folder from the published suites (../SOURCE.md says which and why).
//
//   npm install                       # ethers 6.17.0, used for Keccak-256, secp256k1 recovery and addresses
//   node make-vectors.mjs --ethereum-tests <git dir> --ethers <git dir> --ethereumjs <git dir>
//
// Each <git dir> is a clone (or bare mirror) of github.com/ethereum/tests, ethers-io/ethers.js and
// ethereumjs/ethereumjs-monorepo; files are read at the pinned commits below with `git show`.
//
// For every case the file states Ethereum's verdict (from the suite) and ours: `expected` is the AdmissionReason
// TransactionRules.CheckStateless must return, decided here by `ours()` below — an independent statement of the
// admission policy EthTransactionCodec and TransactionRules document, written against the suites, not a call into the
// C# code — and `why` says which rule decides it and, where we deliberately differ from Ethereum, why.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';

const PIN = {
  ethereumTests: { commit: '4c87ebbf024a3e9ec842bcce90564f629a3bcd82', dir: 'TransactionTests' },
  ethers: { commit: '98c49d091eb84a9146dfba8476f18e4c3e3d1d31', path: 'testcases/transactions.json.gz' },
  ethereumjs: { commit: '6714f0d1e943e876cf4e31b9054f3bb684843a67', path: 'packages/tx/test/json/eip1559.json' },
};
const OUT = dirname(dirname(fileURLToPath(import.meta.url)));
const CHAIN = { minGasPrice: 1, maxTransactionBytes: 1024 };   // the vector runs' ChainParameters (besides the chain id)

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const git = (dir, ...a) => execFileSync('git', ['--git-dir', dir, ...a], { maxBuffer: 1 << 30 });
const gitDir = (p) => { try { return execFileSync('git', ['-C', p, 'rev-parse', '--git-dir']).toString().trim().replace(/^(?!\/)/, p + '/'); } catch { return p; } };

// ---------------------------------------------------------------------------------------------------------------
// The admission policy, restated: the checks in the order EthTransactionCodec and TransactionRules make them.
const N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141n;
const HALF_N = N / 2n;
class Refusal extends Error { constructor(reason, rule, detail) { super(detail); this.reason = reason; this.rule = rule; } }
const refuse = (reason, rule, detail) => { throw new Refusal(reason, rule, detail); };
const big = (b) => (b.length === 0 ? 0n : BigInt(ethers.hexlify(b)));
const hex = (b) => ethers.hexlify(b);

// A strict RLP reader: canonical encodings only (Yellow Paper appendix B; ethereum/tests' ttWrongRLP).
class Reader {
  constructor(bytes, at = 0, end = bytes.length) { this.b = bytes; this.at = at; this.end = end; }
  atEnd() { return this.at >= this.end; }
  item(field) {
    if (this.atEnd()) refuse('BadEncoding', 'rlp', `${field}: missing (too few elements or truncated)`);
    const p = this.b[this.at];
    if (p < 0x80) { this.at += 1; return { list: false, s: this.at - 1, e: this.at }; }
    const list = p >= 0xc0, shortBase = list ? 0xc0 : 0x80, longBase = list ? 0xf7 : 0xb7;
    let header, len;
    if (p <= longBase) { header = 1; len = p - shortBase; }
    else {
      const ll = p - longBase;
      if (this.at + 1 + ll > this.end) refuse('BadEncoding', 'rlp', `${field}: length truncated`);
      if (this.b[this.at + 1] === 0) refuse('BadEncoding', 'rlp', `${field}: length with a leading zero byte`);
      len = Number(big(this.b.subarray(this.at + 1, this.at + 1 + ll)));
      if (len < 56) refuse('BadEncoding', 'rlp', `${field}: long-form length below 56`);
      header = 1 + ll;
    }
    if (this.at + header + len > this.end) refuse('BadEncoding', 'rlp', `${field}: ${len} bytes announced, fewer left`);
    const s = this.at + header, e = s + len;
    if (!list && len === 1 && this.b[s] < 0x80) refuse('BadEncoding', 'rlp', `${field}: a byte below 0x80 wrapped in a string header`);
    this.at = e;
    return { list, s, e };
  }
  list(field) { const it = this.item(field); if (!it.list) refuse('BadEncoding', 'rlp', `${field}: a string where a list belongs`); return new Reader(this.b, it.s, it.e); }
  string(field) { const it = this.item(field); if (it.list) refuse('BadEncoding', 'rlp', `${field}: a list where a string belongs`); return this.b.subarray(it.s, it.e); }
  scalar(field) { const v = this.string(field); if (v.length > 0 && v[0] === 0) refuse('BadEncoding', 'rlp', `${field}: integer with a leading zero byte`); return v; }
  expectEnd(what) { if (!this.atEnd()) refuse('BadEncoding', 'rlp', `${what}: bytes after the last element (too many elements or trailing bytes)`); }
}

function fields(r, typed) {
  const f = {};
  if (typed) { f.chainId = r.scalar('chainId'); if (f.chainId.length > 8) refuse('WrongChain', 'chain-id-width', 'chainId: beyond 64 bits'); }
  f.nonce = r.scalar('nonce');
  if (f.nonce.length > 8) refuse('BadEncoding', 'nonce-width', 'nonce: beyond 64 bits');
  if (big(f.nonce) === 2n ** 64n - 1n) refuse('BadEncoding', 'eip-2681', 'nonce: 2^64-1 (EIP-2681)');
  for (const name of typed ? ['maxPriorityFeePerGas', 'maxFeePerGas'] : ['gasPrice']) {
    f[name] = r.scalar(name);
    if (f[name].length > 8) refuse('AmountOverflow', 'price-width', `${name}: beyond 64 bits`);
  }
  f.gasLimit = r.scalar('gasLimit');
  if (f.gasLimit.length > 8) refuse('BadEncoding', 'gas-width', 'gasLimit: beyond 64 bits');
  f.to = r.string('to');
  if (f.to.length === 0) refuse('Unsupported', 'create', 'to: empty, a contract creation');
  if (f.to.length !== 20) refuse('BadEncoding', 'to-size', `to: ${f.to.length} bytes, an address is 20`);
  f.value = r.scalar('value');
  if (f.value.length > 16) refuse('AmountOverflow', 'value-width', 'value: beyond 128 bits');
  f.data = r.string('data');
  if (typed) {
    const al = r.list('accessList');
    if (!al.atEnd()) refuse('Unsupported', 'access-list', 'accessList: not empty');
    f.yParity = r.scalar('yParity');
  } else f.v = r.scalar('v');
  for (const name of ['r', 's']) {
    f[name] = r.scalar(name);
    if (f[name].length > 32) refuse('BadSignature', 'sig-width', `${name}: beyond 256 bits`);
  }
  r.expectEnd('transaction');
  return f;
}

function recoverAddress(digest, rBytes, sBytes, parity) {
  const r = big(rBytes), s = big(sBytes);
  if (r === 0n || s === 0n || r >= N || s >= N) return { fails: 'r or s is 0 or not below n' };
  if (s > HALF_N) return { fails: 's above n/2 (EIP-2)' };
  try {
    const sig = ethers.Signature.from({ r: ethers.toBeHex(r, 32), s: ethers.toBeHex(s, 32), v: 27 + parity });
    return { address: ethers.computeAddress(ethers.SigningKey.recoverPublicKey(digest, sig)).toLowerCase() };
  } catch (e) { return { fails: 'no key recovers: ' + (e.shortMessage || e.message) }; }
}

function stateless(f, price, cfg) {
  const gasLimit = big(f.gasLimit), need = 21000n + 16n * BigInt(f.data.length);
  if (gasLimit < need) refuse('GasLimitTooLow', 'intrinsic-gas', `gasLimit ${gasLimit} below ${need}`);
  if (price < BigInt(cfg.minGasPrice)) refuse('GasPriceTooLow', 'min-gas-price', `price ${price} below ${cfg.minGasPrice}`);
  if (big(f.value) + gasLimit * price >= 2n ** 128n) refuse('AmountOverflow', 'cost-width', 'value + gasLimit × price beyond 128 bits');
}

/** Our verdict on `raw` for a chain with numeric id `chainId`: { reason, rule, detail, sender?, hash? }. */
function ours(raw, chainId, cfg = CHAIN) {
  try {
    if (raw.length > cfg.maxTransactionBytes) refuse('TooLarge', 'size', `${raw.length} bytes, above ${cfg.maxTransactionBytes}`);
    if (raw.length === 0) refuse('BadEncoding', 'rlp', 'empty');
    const b0 = raw[0];
    const eth = b0 >= 0xc0 || (b0 <= 0x7f && b0 !== 1) || (b0 === 1 && raw.length > 1 && raw[1] >= 0xc0);
    if (!eth) refuse('BadEncoding', 'not-a-transaction', `first byte 0x${b0.toString(16)}: neither an RLP list nor a type byte (read as a native transaction, version ${b0})`);
    let f, digest, parity, txChain, price;
    if (b0 >= 0xc0) {
      const outer = new Reader(raw); const r = outer.list('transaction'); outer.expectEnd('transaction');
      f = fields(r, false);
      if (f.v.length > 8) refuse('WrongChain', 'v-width', 'v: implies a chain id beyond 64 bits');
      const v = big(f.v);
      if (v === 27n || v === 28n) refuse('WrongChain', 'pre-155', `v = ${v}: no EIP-155 replay protection`);
      if (v < 35n) refuse('WrongChain', 'v-below-35', `v = ${v}: carries no EIP-155 chain id`);
      txChain = (v - 35n) / 2n; parity = Number((v - 35n) % 2n);
      if (txChain !== BigInt(chainId)) refuse('WrongChain', 'chain-id', `chain id ${txChain}, this chain's is ${chainId}`);
      const toSign = [f.nonce, f.gasPrice, f.gasLimit, f.to, f.value, f.data].map(hex).concat([ethers.toBeArray(txChain), '0x', '0x'].map(hex));
      digest = ethers.keccak256(ethers.encodeRlp(toSign));
      price = big(f.gasPrice);
    } else if (b0 === 2) {
      const outer = new Reader(raw, 1); const r = outer.list('transaction'); outer.expectEnd('transaction');
      f = fields(r, true);
      if (big(f.yParity) > 1n) refuse('BadSignature', 'y-parity', 'yParity: not 0 or 1');
      if (big(f.maxPriorityFeePerGas) > big(f.maxFeePerGas)) refuse('BadEncoding', 'tip-above-cap', 'maxPriorityFeePerGas above maxFeePerGas');
      txChain = big(f.chainId); parity = Number(big(f.yParity));
      if (txChain !== BigInt(chainId)) refuse('WrongChain', 'chain-id', `chain id ${txChain}, this chain's is ${chainId}`);
      const toSign = [f.chainId, f.nonce, f.maxPriorityFeePerGas, f.maxFeePerGas, f.gasLimit, f.to, f.value, f.data].map(hex).concat([[]]);
      digest = ethers.keccak256(ethers.concat(['0x02', ethers.encodeRlp(toSign)]));
      price = big(f.maxFeePerGas);
    } else if (b0 === 1 || b0 === 3 || b0 === 4) refuse('Unsupported', 'type', `type ${b0} is not taken`);
    else refuse('BadEncoding', 'unknown-type', `unknown transaction type ${b0}`);
    const rec = recoverAddress(digest, f.r, f.s, parity);
    if (rec.fails) refuse('BadSignature', 'signature', rec.fails);
    stateless(f, price, cfg);
    return { reason: 'Ok', rule: 'ok', detail: 'a value transfer', sender: rec.address, hash: ethers.keccak256(raw) };
  } catch (e) {
    if (e instanceof Refusal) return { reason: e.reason, rule: e.rule, detail: e.message };
    throw e;
  }
}

// Ethereum's verdicts (retesteth's TransactionException names) that mean the same refusal as one of ours.
const SAME = {
  WrongChain: [/INVALID_CHAINID/],
  BadSignature: [/INVALID_SIGNATURE_VRS/, /EC_RECOVERY_FAIL/],
  AmountOverflow: [/GASPRICE_OVERFLOW/, /VALUE_OVERFLOW/, /PRIORITY_OVERFLOW/, /GASLIMIT_PRICE_PRODUCT_OVERFLOW/],
  GasLimitTooLow: [/INTRINSIC_GAS_TOO_LOW/],
  BadEncoding: [/RLP_/, /ADDRESS_TOO_/, /NONCE_OVERFLOW/, /NONCE_TOO_BIG/, /GASLIMIT_OVERFLOW/, /TYPE_NOT_SUPPORTED/, /PRIORITY_GREATER_THAN_MAX_FEE/],
  Unsupported: [/TYPE_NOT_SUPPORTED/],
};
// Why we differ, by the rule that decided our verdict.
const DIFFERS = {
  'pre-155': 'we take only EIP-155 replay-protected legacy transactions: v = 27/28 is refused as WrongChain once the fields parse, before the signature or the fees are judged',
  'v-below-35': 'a legacy v below 35 carries no EIP-155 chain id: WrongChain, before the signature is judged',
  'create': 'value transfers only: contract creation (an empty to) is Unsupported, checked where to is read',
  'access-list': 'value transfers only: a non-empty access list is Unsupported',
  'type': 'only legacy (EIP-155) and type 2 are taken: types 1, 3 and 4 are Unsupported',
  'price-width': 'prices are 64-bit on this chain (balances 128-bit): a wider price is an AmountOverflow wherever Ethereum would still take it',
  'value-width': 'balances are 128-bit on this chain: a wider value is an AmountOverflow',
  'cost-width': 'value + gasLimit × price must fit the chain\'s 128-bit balances',
  'size': 'above the chain\'s MaxTransactionBytes (1,024): TooLarge, before decoding',
  'nonce-width': 'the nonce is a 64-bit field; no reason code of ours names a nonce overflow: BadEncoding',
  'gas-width': 'the gas limit is a 64-bit field: BadEncoding',
  'eip-2681': 'EIP-2681 nonce bound: BadEncoding',
  'not-a-transaction': 'bytes that are neither an RLP list nor a type byte are read as the native format and fail there: BadEncoding',
  'unknown-type': 'an unknown type byte is a bad encoding (Unsupported is for the known types 1, 3, 4)',
  'tip-above-cap': 'a priority fee above the fee cap is a malformed transaction: BadEncoding',
  'rlp': 'an encoding error found earlier in reading order than Ethereum\'s reason',
  'to-size': 'an address of the wrong size, found earlier in reading order than Ethereum\'s reason',
  'sig-width': 'r or s wider than 256 bits cannot be below n: BadSignature',
  'chain-id': 'refused for its chain id before its signature is recovered',
  'chain-id-width': 'a chain id beyond 64 bits names no chain',
  'v-width': 'a v beyond 64 bits implies a chain id beyond 64 bits: WrongChain',
  'signature': 'the signature does not recover (or has r, s out of range, or a high s)',
  'y-parity': 'a y-parity other than 0/1 is a bad signature',
  'intrinsic-gas': 'below the 21,000 + 16 per data byte a transfer needs',
  'min-gas-price': 'below the chain\'s minimum gas price',
};

function latestResult(result) {
  for (const fork of ['Prague', 'Cancun', 'Shanghai', 'Paris', 'London']) if (result[fork]) return { fork, ...result[fork] };
  throw new Error('no post-London result');
}

function describe(o, eth) {
  if (eth === undefined) return `${o.detail}`;
  const ethOk = !eth.exception;
  if (o.reason === 'Ok' && ethOk) return `accepted, as in Ethereum (${eth.fork})`;
  const same = !ethOk && (SAME[o.reason] || []).some((re) => re.test(eth.exception));
  const ethText = ethOk ? `Ethereum (${eth.fork}) accepts it` : `Ethereum (${eth.fork}): ${eth.exception.replace('TransactionException.', '')}`;
  if (same) return `${o.detail} — the same refusal as ${ethText.replace(/^Ethereum/, 'Ethereum\'s')}`;
  return `${o.detail} — differs: ${DIFFERS[o.rule] ?? o.rule}; ${ethText}`;
}

function caseFor(name, source, raw, chainId, eth, extra = {}) {
  const o = ours(raw, chainId);
  const c = { name, source, chainId, txbytes: hex(raw) };
  if (eth) c.ethereum = eth.exception ? { fork: eth.fork, exception: eth.exception } : { fork: eth.fork, hash: eth.hash, sender: eth.sender };
  c.expected = o.reason;
  c.why = describe(o, eth);
  if (o.reason === 'Ok') { c.hash = o.hash; c.sender = o.sender; }
  Object.assign(c, extra);
  if (eth && !eth.exception && o.reason === 'Ok') {
    if (eth.hash.toLowerCase() !== o.hash || eth.sender.toLowerCase() !== o.sender) throw new Error(`${name}: the suite's hash/sender and ethers' disagree`);
  }
  return c;
}

// The pre-EIP-155 signature check: the suite's sender (or its refusal of the signature) against our secp256k1 alone.
function preEip155Recovery(raw, eth) {
  if (raw[0] < 0xc0) return undefined;
  // The nine fields as strings, canonical RLP, nothing else judged (contract creations and wide amounts included).
  const f = {};
  try {
    const outer = new Reader(raw); const r = outer.list('t'); outer.expectEnd('t');
    for (const name of ['nonce', 'gasPrice', 'gasLimit', 'to', 'value', 'data', 'v', 'r', 's']) f[name] = r.string(name);
    r.expectEnd('t');
  } catch { return undefined; }
  if (f.r.length > 32 || f.s.length > 32 || f.v.length > 1) return undefined;
  const v = big(f.v);
  if (v !== 27n && v !== 28n) return undefined;
  const signatureVerdict = !eth.exception ? 'ok' : /INVALID_SIGNATURE_VRS|EC_RECOVERY_FAIL/.test(eth.exception) ? 'bad' : undefined;
  if (!signatureVerdict) return undefined;
  const digest = ethers.keccak256(ethers.encodeRlp([f.nonce, f.gasPrice, f.gasLimit, f.to, f.value, f.data].map(hex)));
  const mine = recoverAddress(digest, f.r, f.s, Number(v - 27n));
  if (signatureVerdict === 'ok') {
    if (mine.address !== eth.sender.toLowerCase()) throw new Error('ethers does not recover the suite\'s sender');
    return { recoveryId: Number(v - 27n), sender: mine.address };
  }
  if (!mine.fails) throw new Error('ethers recovers a signature the suite refuses');
  return { recoveryId: Number(v - 27n), fails: true };
}

// ---------------------------------------------------------------------------------------------------------------
function ethereumTests(dir) {
  const { commit } = PIN.ethereumTests;
  const files = git(dir, 'ls-tree', '-r', '--name-only', commit, PIN.ethereumTests.dir).toString().trim().split('\n');
  const cases = [], absent = [];
  for (const path of files) {
    let text;
    try { text = git(dir, 'show', `${commit}:${path}`).toString(); } catch { absent.push(path); continue; }
    for (const [, test] of Object.entries(JSON.parse(text))) {
      const raw = ethers.getBytes(test.txbytes);
      const eth = latestResult(test.result);
      const name = path.replace('TransactionTests/', '').replace('.json', '');
      const recovery = preEip155Recovery(raw, eth);
      cases.push(caseFor(name, path, raw, 1, eth, recovery ? { preEip155Recovery: recovery } : {}));
    }
  }
  return { cases, absent };
}

function ethersCases(dir) {
  const all = JSON.parse(execFileSync('gunzip', ['-c'], { input: git(dir, 'show', `${PIN.ethers.commit}:${PIN.ethers.path}`), maxBuffer: 1 << 30 }).toString());
  const random = all.filter((c) => c.name.startsWith('random-'));
  const need = (t) => 21000 + 16 * ((t.data.length - 2) / 2);
  const transfers = random.filter((c) => (c.transaction.accessList ?? []).length === 0 && Number(c.transaction.gasLimit) >= need(c.transaction));
  const withAccessList = random.filter((c) => (c.transaction.accessList ?? []).length > 0 && Number(c.transaction.gasLimit) >= need(c.transaction)).slice(0, 4);
  const lowGas = random.filter((c) => (c.transaction.accessList ?? []).length === 0 && Number(c.transaction.gasLimit) < need(c.transaction)).slice(0, 4);
  const cases = [];
  const add = (c, form, note) => {
    const raw = ethers.getBytes(c[form]);
    const parsed = ethers.Transaction.from(c[form]);
    const wallet = new ethers.Wallet(c.privateKey);
    if (parsed.from.toLowerCase() !== wallet.address.toLowerCase()) throw new Error(`${c.name}: ethers' recovered sender is not the key's address`);
    const chainId = Number(BigInt(c.transaction.chainId));
    const x = caseFor(`${c.name}/${form}`, `${PIN.ethers.path} [${c.name}].${form}`, raw, chainId, undefined, { signer: wallet.address.toLowerCase() });
    if (x.expected === 'Ok' && (x.sender !== x.signer || x.hash !== parsed.hash)) throw new Error(`${x.name}: sender/hash mismatch with ethers`);
    x.why = `${x.why}${note ? ` (${note})` : ''}`;
    cases.push(x);
  };
  for (const c of transfers) { add(c, 'signedLondon'); add(c, 'signedEip155'); }
  for (const c of withAccessList) add(c, 'signedLondon', 'its access list is not empty');
  for (const c of lowGas) { add(c, 'signedLondon'); add(c, 'signedEip155'); }
  for (const c of transfers.slice(0, 2)) { add(c, 'signedBerlin'); add(c, 'signedCancun'); add(c, 'signedLegacy'); }
  return cases;
}

function ethereumjsCases(dir) {
  const vectors = JSON.parse(git(dir, 'show', `${PIN.ethereumjs.commit}:${PIN.ethereumjs.path}`).toString());
  const cases = [];
  vectors.forEach((v, i) => {
    // Stored as the RLP string a block body carries; eth_sendRawTransaction takes the typed bytes inside it.
    const wrapped = ethers.getBytes(v.signedTransactionRLP);
    const raw = ethers.getBytes(ethers.decodeRlp(wrapped));
    const signer = new ethers.Wallet(v.privateKey).address.toLowerCase();
    const chainId = Number(ethers.Transaction.from(hex(raw)).chainId);
    const x = caseFor(`eip1559[${i}]`, `${PIN.ethereumjs.path} [${i}] (the typed bytes inside signedTransactionRLP)`, raw, chainId, undefined, { signer });
    if (x.expected !== 'Ok' || x.sender !== signer) throw new Error(`${x.name}: not accepted with the key's address`);
    cases.push(x);
    if (i === 0) cases.push(caseFor('eip1559[0]/as-in-a-block-body', `${PIN.ethereumjs.path} [0] (signedTransactionRLP as stored: wrapped in an RLP string)`, wrapped, chainId, undefined));
  });
  return cases;
}

// Cases derived here from the EIP-155 example (CC0) and from a type-2 transfer signed here with the same key: the
// signature kinds the suites only test without EIP-155 (high s, r or s zero or ≥ n) and the framing errors.
function derivedCases() {
  const eip155 = ethers.getBytes('0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83');
  const key = new ethers.Wallet('0x4646464646464646464646464646464646464646464646464646464646464646');
  const type2 = ethers.getBytes(ethers.Transaction.from({
    type: 2, chainId: 1, nonce: 9, maxPriorityFeePerGas: 2_000_000_000n, maxFeePerGas: 30_000_000_000n, gasLimit: 21000,
    to: '0x3535353535353535353535353535353535353535', value: 10n ** 18n, data: '0x', accessList: [],
    signature: key.signingKey.sign(ethers.Transaction.from({ type: 2, chainId: 1, nonce: 9, maxPriorityFeePerGas: 2_000_000_000n, maxFeePerGas: 30_000_000_000n, gasLimit: 21000, to: '0x3535353535353535353535353535353535353535', value: 10n ** 18n, data: '0x', accessList: [] }).unsignedHash),
  }).serialized);
  const items = (raw, typed) => ethers.decodeRlp(typed ? raw.subarray(1) : raw);
  const legacy = (list) => ethers.getBytes(ethers.encodeRlp(list));
  const dynamic = (list, type = 2) => ethers.getBytes(ethers.concat([ethers.toBeHex(type, 1), ethers.encodeRlp(list)]));
  const L = items(eip155, false), D = items(type2, true);
  const with_ = (list, i, value) => list.map((x, j) => (j === i ? value : x));
  const u256 = (x) => ethers.toBeHex(x);
  const highS = (s) => u256(N - BigInt(s));
  const src = 'derived: EIP-155 example (eips.ethereum.org/EIPS/eip-155, CC0)';
  const src2 = 'derived: a type-2 transfer signed by ethers with the EIP-155 example key 0x46…46';
  const out = [];
  const signer = key.address.toLowerCase();
  const add = (name, source, raw, chainId, note, changed = false) => {
    const c = caseFor(name, source, raw, chainId, undefined, { signer });
    if (changed) c.signedFieldsChanged = true;
    if (note) c.why = `${c.why} (${note})`;
    if (c.expected === 'Ok' && (c.sender === signer) === changed) throw new Error(`${name}: sender ${c.sender} vs signer ${signer}`);
    out.push(c);
  };
  add('eip155-example', src, eip155, 1);
  add('eip155-example/other-chain', src, eip155, 5, 'replay protection: presented to chain 5');
  add('eip155-example/high-s', src, legacy(with_(with_(L, 6, '0x26'), 8, highS(L[8]))), 1, 's → n − s with the parity flipped: a valid ECDSA signature of the same key, refused by EIP-2');
  add('eip155-example/r-zero', src, legacy(with_(L, 7, '0x')), 1);
  add('eip155-example/s-zero', src, legacy(with_(L, 8, '0x')), 1);
  add('eip155-example/r-n', src, legacy(with_(L, 7, u256(N))), 1);
  add('eip155-example/s-n', src, legacy(with_(L, 8, u256(N))), 1);
  add('eip155-example/s-half-n-plus-1', src, legacy(with_(L, 8, u256(HALF_N + 1n))), 1);
  add('eip155-example/r-33-bytes', src, legacy(with_(L, 7, '0x01' + L[7].slice(2))), 1);
  add('eip155-example/parity-flipped', src, legacy(with_(L, 6, '0x26')), 1, 'v 37 → 38: another key, or none, recovers — never the signer', true);
  add('eip155-example/value-changed', src, legacy(with_(L, 4, '0x0de0b6b3a7640001')), 1, 'a signed field changed: the recovered sender is not the signer', true);
  add('eip155-example/v-1', src, legacy(with_(L, 6, '0x01')), 1);
  add('eip155-example/nonce-leading-zero', src, legacy(with_(L, 0, '0x0009')), 1);
  add('eip155-example/trailing-byte', src, ethers.getBytes(ethers.concat([eip155, '0x00'])), 1);
  add('eip155-example/truncated', src, eip155.subarray(0, eip155.length - 1), 1);
  add('eip155-example/list-length-off-by-one', src, ethers.getBytes(ethers.concat(['0xf86b', eip155.subarray(2, eip155.length - 1)])), 1);
  add('eip155-example/ten-elements', src, legacy([...L, '0x']), 1);
  add('eip155-example/eight-elements', src, legacy(L.slice(0, 8)), 1);
  add('eip155-example/to-as-list', src, legacy(with_(L, 3, [L[3]])), 1);
  add('eip155-example/nonce-long-form-header', src, ethers.getBytes(ethers.concat(['0xf86e', '0xb80109', eip155.subarray(3)])), 1, 'the nonce 9 as 0xb8 0x01 0x09: a long-form length below 56');
  add('eip155-example/nonce-2^64-1', src, legacy(with_(L, 0, '0xffffffffffffffff')), 1, 'unsigned: EIP-2681 refuses it before the signature');
  add('type2', src2, type2, 1);
  add('type2/other-chain', src2, type2, 1337, 'replay protection: presented to chain 1337');
  add('type2/high-s', src2, dynamic(with_(with_(D, 9, D[9] === '0x' ? '0x01' : '0x'), 11, highS(D[11]))), 1, 's → n − s with the parity flipped: refused by EIP-2');
  add('type2/y-parity-2', src2, dynamic(with_(D, 9, '0x02')), 1);
  add('type2/y-parity-leading-zero', src2, dynamic(with_(D, 9, '0x00')), 1);
  add('type2/access-list', src2, dynamic(with_(D, 8, [['0x' + '11'.repeat(20), []]])), 1, 'unsigned: the access list is refused before the signature');
  add('type2/contract-creation', src2, dynamic(with_(D, 5, '0x')), 1);
  add('type2/tip-above-cap', src2, dynamic(with_(D, 2, u256(40_000_000_000n))), 1);
  add('type2/max-fee-9-bytes', src2, dynamic(with_(D, 3, '0x010000000000000000')), 1);
  add('type2/as-type-1', src2, dynamic(D, 1), 1);
  add('type2/as-type-3', src2, dynamic(D, 3), 1);
  add('type2/as-type-5', src2, dynamic(D, 5), 1);
  add('type2/type-byte-only', src2, ethers.getBytes('0x02'), 1);
  add('type2/trailing-byte', src2, ethers.getBytes(ethers.concat([type2, '0x00'])), 1);
  return out;
}

function write(file, header, cases) {
  writeFileSync(join(OUT, file), JSON.stringify({ ...header, chain: CHAIN, cases }, null, 1) + '\n');
  const tally = {};
  for (const c of cases) tally[c.expected] = (tally[c.expected] ?? 0) + 1;
  console.log(`${file}: ${cases.length} cases`, tally);
}

const et = ethereumTests(gitDir(args['ethereum-tests']));
write('ethereum-tests.json', {
  source: `https://github.com/ethereum/tests ${PIN.ethereumTests.commit}, ${PIN.ethereumTests.dir}/** (every case stored at that commit)`,
  licence: 'MIT (ethereum/tests LICENSE, Copyright 2014 Ethereum Foundation)',
  absentFromTheStoredCopy: et.absent,
}, et.cases);
write('ethers-transactions.json', {
  source: `https://github.com/ethers-io/ethers.js ${PIN.ethers.commit}, ${PIN.ethers.path} (a selection of its random-* cases)`,
  licence: 'MIT (ethers.js LICENSE.md, Copyright 2016-2025 Richard Moore)',
}, ethersCases(gitDir(args.ethers)));
write('ethereumjs-eip1559.json', {
  source: `https://github.com/ethereumjs/ethereumjs-monorepo ${PIN.ethereumjs.commit}, ${PIN.ethereumjs.path}`,
  licence: 'MPL-2.0 (packages/tx of ethereumjs-monorepo); this file, derived from that one, is under MPL-2.0 too',
}, ethereumjsCases(gitDir(args.ethereumjs)));
write('derived.json', {
  source: 'derived here (make-vectors.mjs, derivedCases) from the EIP-155 example (CC0) and a transfer signed by ethers with its key',
  licence: 'the project\'s own; the EIP-155 example is CC0',
}, derivedCases());
