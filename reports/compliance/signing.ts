// Signed records: the chain hash catches an edit, not a rewrite (whoever can push the history can re-chain it
// consistently). Each record's chain hash, which commits to its content and to every record before it, is signed
// with an ed25519 key the history's writers do not hold (a CI secret of the protected environment, or a key the
// team keeps offline); `compliance verify --public-key` checks each signature against the trusted public key,
// which comes from outside the history.
//   <history>/signatures/<record file>.sig.json   { algorithm, keyId, seq, chainHash, signature }
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainHashOf, type HistoryRecord } from './record.ts';
import { RECORDS_DIR, recordFiles } from './store.ts';

export const SIGNATURES_DIR = 'signatures';

export interface RecordSignature {
  version: 1;
  algorithm: 'ed25519';
  /** sha256 of the public key (SPKI DER), hex: which key signed. */
  keyId: string;
  seq: number;
  chainHash: string;
  /** base64 ed25519 signature of signedMessage(seq, chainHash). */
  signature: string;
}

export interface SignatureProblem {
  kind: 'signature-missing' | 'signature-invalid';
  file: string;
  message: string;
}

const signedMessage = (seq: number, chainHash: string) =>
  Buffer.from(`drill compliance record v1\n${seq}\n${chainHash}`);

export const signatureFileOf = (recordFile: string) => `${SIGNATURES_DIR}/${recordFile}.sig.json`;

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** A key given as PEM text, or as the path of a PEM file. */
function pemOf(keyOrPath: string): string {
  return keyOrPath.includes('-----BEGIN') ? keyOrPath : readFileSync(keyOrPath, 'utf8');
}

/** Writes a new key pair: <dir>/compliance-signing.key (private, mode 600) and <dir>/compliance-signing.pub. */
export function generateSigningKey(dir: string): {
  privateKeyFile: string;
  publicKeyFile: string;
  keyId: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(dir, { recursive: true });
  const privateKeyFile = join(dir, 'compliance-signing.key');
  const publicKeyFile = join(dir, 'compliance-signing.pub');
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    flag: 'wx',
  });
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  return { privateKeyFile, publicKeyFile, keyId: keyIdOf(publicKey) };
}

const readRecord = (historyDir: string, name: string) =>
  JSON.parse(readFileSync(join(historyDir, RECORDS_DIR, name), 'utf8')) as HistoryRecord;

/** Signs every record that has no signature yet (after an ingest); returns the record files it signed. */
export function signHistory(historyDir: string, privateKeyPem: string): string[] {
  const privateKey = createPrivateKey(pemOf(privateKeyPem));
  const keyId = keyIdOf(createPublicKey(privateKey));
  const signed: string[] = [];
  for (const name of recordFiles(historyDir)) {
    const file = join(historyDir, signatureFileOf(name));
    if (existsSync(file)) continue;
    const record = readRecord(historyDir, name);
    // Only what the record holds now is signed: an edited record keeps failing its chain check, unsigned.
    if (chainHashOf(record) !== record.chainHash) continue;
    const signature: RecordSignature = {
      version: 1,
      algorithm: 'ed25519',
      keyId,
      seq: record.seq,
      chainHash: record.chainHash,
      signature: sign(null, signedMessage(record.seq, record.chainHash), privateKey).toString('base64'),
    };
    mkdirSync(join(historyDir, SIGNATURES_DIR), { recursive: true });
    writeFileSync(file, `${JSON.stringify(signature, null, 2)}\n`, { flag: 'wx' });
    signed.push(name);
  }
  return signed;
}

/** Every record must carry a valid signature of the trusted key over its recomputed chain hash. */
export function verifySignatures(historyDir: string, publicKeyPem: string): SignatureProblem[] {
  const publicKey = createPublicKey(pemOf(publicKeyPem));
  const keyId = keyIdOf(publicKey);
  const problems: SignatureProblem[] = [];
  for (const name of recordFiles(historyDir)) {
    const file = signatureFileOf(name);
    let record: HistoryRecord;
    try {
      record = readRecord(historyDir, name);
    } catch {
      continue; // verifyHistory reports the unreadable record
    }
    if (!existsSync(join(historyDir, file))) {
      problems.push({ kind: 'signature-missing', file, message: `${RECORDS_DIR}/${name} is not signed` });
      continue;
    }
    const invalid = (why: string) =>
      problems.push({ kind: 'signature-invalid', file, message: `${RECORDS_DIR}/${name}: ${why}` });
    let sig: RecordSignature;
    try {
      sig = JSON.parse(readFileSync(join(historyDir, file), 'utf8')) as RecordSignature;
    } catch {
      invalid(`${file} is not JSON`);
      continue;
    }
    const chainHash = chainHashOf(record);
    if (sig.keyId !== keyId) {
      invalid(
        `signed by key ${String(sig.keyId).slice(0, 16)}…, not by the trusted key ${keyId.slice(0, 16)}…`,
      );
      continue;
    }
    let valid = false;
    try {
      valid = verify(
        null,
        signedMessage(record.seq, chainHash),
        publicKey,
        Buffer.from(sig.signature, 'base64'),
      );
    } catch {
      valid = false;
    }
    if (!valid)
      invalid(
        `the signature does not match the record as it is now (seq ${record.seq}, chain ${chainHash.slice(0, 16)}…)`,
      );
  }
  return problems;
}
