// The drill lock of an AWS target: one Secrets Manager secret `drill/lock/<target>` holding
// { state: "held", runId, host, pid, startedAt } or { state: "free" }. The first lock is a CreateSecret
// (ResourceExistsException when another run created it first); later ones are compare-and-swap writes:
// PutSecretValue whose ClientRequestToken is derived from the version read, so of two runs that read the
// same free version only one write lands (Secrets Manager refuses a reused token with another value).
// A retried call reuses its token and value, so retries never take the lock twice. The secret is kept
// between drills: no deletion, hence no recovery-window delay before the next drill.
import { createHash } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Secrets } from '../../clients/aws/secrets.ts';
import { isClientError } from '../../clients/errors.ts';
import { parseLockOwner } from '../../core/safety/lock.ts';
import type { LockAcquire, LockOwner, LockRelease, LockStore } from '../../core/safety/types.ts';

/** The token of the write that follows `versionId`: the same for every run that read that version. */
export const nextToken = (versionId: string) =>
  createHash('sha256').update(`drill-lock:${versionId}`).digest('hex');

const isExists = (error: unknown) => isClientError(error) && error.remoteCode === 'ResourceExistsException';

function holderOf(value: string): LockOwner | undefined {
  const parsed = JSON.parse(value) as { state?: string };
  return parsed.state === 'held' ? parseLockOwner(value) : undefined;
}

export class SecretsManagerLockStore implements LockStore {
  readonly where: string;

  constructor(
    readonly secrets: Secrets,
    readonly secretId: string,
  ) {
    this.where = `Secrets Manager secret ${secretId} in ${secrets.region}`;
  }

  async #current(signal: AbortSignal): Promise<{ value: string; versionId: string } | undefined> {
    try {
      return await this.secrets.getSecretValue(this.secretId, { signal });
    } catch (error) {
      if (isClientError(error) && error.code === 'E_NOT_FOUND') return undefined;
      throw error;
    }
  }

  async read(signal: AbortSignal): Promise<LockOwner | undefined> {
    const current = await this.#current(signal);
    return current ? holderOf(current.value) : undefined;
  }

  #mutate<T>(
    operation: string,
    runId: string,
    send: (abortSignal?: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ) {
    const { caller } = this.secrets;
    const call = caller.plan(operation, { SecretId: this.secretId, runId });
    return caller.mutate(call, () =>
      caller.send(operation, { kind: 'secret', id: this.secretId }, send, { signal }),
    );
  }

  async #create(value: string, runId: string, signal: AbortSignal): Promise<void> {
    const token = createHash('sha256').update(`drill-lock-create:${runId}`).digest('hex');
    await this.#mutate(
      'CreateSecret',
      runId,
      (abortSignal) =>
        this.secrets.client.send(
          new CreateSecretCommand({
            Name: this.secretId,
            SecretString: value,
            ClientRequestToken: token,
            Description:
              'drill lock: held while a drill runs on this target; `pnpm drill rollback <run-id>` releases a stale one',
          }),
          { abortSignal },
        ),
      signal,
    );
  }

  async #put(value: string, afterVersion: string, runId: string, signal: AbortSignal): Promise<void> {
    await this.#mutate(
      'PutSecretValue',
      runId,
      (abortSignal) =>
        this.secrets.client.send(
          new PutSecretValueCommand({
            SecretId: this.secretId,
            SecretString: value,
            ClientRequestToken: nextToken(afterVersion),
          }),
          { abortSignal },
        ),
      signal,
    );
  }

  async tryAcquire(owner: LockOwner, signal: AbortSignal): Promise<LockAcquire> {
    const held = JSON.stringify({ state: 'held', ...owner });
    let current = await this.#current(signal);
    if (!current) {
      try {
        await this.#create(held, owner.runId, signal);
        return { acquired: true };
      } catch (error) {
        if (!isExists(error)) throw error;
        current = await this.#current(signal);
        if (!current) throw error;
      }
    }
    const holder = holderOf(current.value);
    // Our own earlier write (a retry whose answer was lost) counts as taken.
    if (holder) return holder.runId === owner.runId ? { acquired: true } : { acquired: false, holder };
    try {
      await this.#put(held, current.versionId, owner.runId, signal);
    } catch (error) {
      if (!isExists(error)) throw error;
    }
    const after = await this.read(signal);
    if (after?.runId === owner.runId) return { acquired: true };
    if (after) return { acquired: false, holder: after };
    throw new Error(`${this.where} changed while the lock was being taken: try again`);
  }

  async release(runId: string, signal: AbortSignal): Promise<LockRelease> {
    const current = await this.#current(signal);
    const holder = current ? holderOf(current.value) : undefined;
    if (!current || !holder) return 'not-held';
    if (holder.runId !== runId) return 'held-by-other';
    const free = JSON.stringify({ state: 'free', releasedBy: runId, at: new Date().toISOString() });
    try {
      await this.#put(free, current.versionId, runId, signal);
    } catch (error) {
      if (!isExists(error)) throw error;
    }
    const after = await this.read(signal);
    if (after?.runId === runId) throw new Error(`${this.where} is still held by ${runId} after its release`);
    return 'released';
  }
}
