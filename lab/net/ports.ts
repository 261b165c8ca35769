import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1 for a server started later (postgres, redis, a pod). Picked below the kernel's
 * ephemeral range when it is known: a port the kernel hands out for listen(0) is also handed to outgoing
 * connections, and with two labs busy side by side one of those took a port between this check and the
 * server's bind ("Address already in use").
 */
export async function freePort(): Promise<number> {
  const range = belowEphemeralRange();
  if (range) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = randomInt(range.from, range.to);
      if (await canListen(port)) return port;
    }
  }
  return listenOnce(0);
}

/** Ports the kernel never picks by itself: up to 12 000 of them just under the ephemeral range (Linux). */
export function belowEphemeralRange(rangeText = readRange()): { from: number; to: number } | undefined {
  const [low] = (rangeText ?? '').trim().split(/\s+/).map(Number);
  if (low === undefined || !Number.isInteger(low) || low < 12_000) return undefined;
  return { from: Math.max(10_000, low - 12_000), to: low };
}

function readRange(): string | null {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return null;
  }
}

/**
 * Whether a server could listen on `port` of 127.0.0.1 now: no live listener nor other socket holds it. Like the
 * servers the lab starts (node, postgres and redis all set SO_REUSEADDR), connections of a closed server in
 * TIME_WAIT do not count.
 */
export function portIsFree(port: number): Promise<boolean> {
  return canListen(port);
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}
