// Test helpers shared by the client tests: a recording audit log and SDK-shaped errors.

import { mockClient } from 'aws-sdk-client-mock';
import { afterAll } from 'vitest';
import type { AuditLog, PlannedCall } from '../core/model.ts';

export interface AuditEvent {
  phase: 'before' | 'after' | 'error';
  call: PlannedCall;
}

/** An AuditLog that remembers what it was asked to record, in order. */
export class RecordingAudit implements AuditLog {
  readonly events: AuditEvent[] = [];
  async mutate<T>(call: PlannedCall, perform: () => Promise<T>): Promise<T> {
    this.events.push({ phase: 'before', call });
    try {
      const result = await perform();
      this.events.push({ phase: 'after', call });
      return result;
    } catch (err) {
      this.events.push({ phase: 'error', call });
      throw err;
    }
  }
  get operations(): string[] {
    return this.events.map((e) => `${e.phase}:${e.call.operation}`);
  }
}

/** An error shaped like what the AWS SDK throws for a service error. */
export function awsError(name: string, status: number, message = `${name} raised`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** Retry policy with no real waiting, for unit tests. */
export const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2, random: () => 0 } as const;

/**
 * aws-sdk-client-mock's mockClient, undone when the calling suite (file or describe) ends. A class's stub replaces
 * send() on its prototype for the whole process: left in place, every later test file sharing the worker (unit
 * project, isolate: false) would get it instead of the real client (wire.test.ts, the lab's own SDK tests).
 */
export const mockClientInSuite: typeof mockClient = (client, options) => {
  const stub = mockClient(client, options);
  afterAll(() => stub.restore());
  return stub;
};

/** aws-sdk-client-mock stub seen through loose types. */
export interface LooseBehavior {
  resolves(output: object): LooseBehavior;
  resolvesOnce(output: object): LooseBehavior;
  rejects(error: unknown): LooseBehavior;
  rejectsOnce(error: unknown): LooseBehavior;
}
export interface LooseStub {
  on(command: unknown, input?: object): LooseBehavior;
  reset(): void;
  commandCalls(command: unknown): { args: [{ input: Record<string, unknown> }] }[];
  calls(): unknown[];
}
