// Boot is done when the public URL and both regional load balancers answer /health with 200.
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitUntilServing(opts: {
  publicUrl: string;
  albUrls: string[];
  timeoutMs: number;
}): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const urls = [`${opts.publicUrl}/health`, ...opts.albUrls.map((u) => `${u}/health`)];
  const last = new Map<string, string>();
  let delay = 50;
  while (Date.now() < deadline) {
    const results = await Promise.all(
      urls.map(async (url) => {
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
          await response.arrayBuffer();
          last.set(url, `HTTP ${response.status}`);
          return response.status === 200;
        } catch (error) {
          last.set(url, (error as Error).message);
          return false;
        }
      }),
    );
    if (results.every(Boolean)) return;
    await sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
  const detail = urls.map((u) => `${u}: ${last.get(u) ?? 'no answer'}`).join('; ');
  throw new Error(`lab did not start serving within ${opts.timeoutMs} ms (${detail})`);
}
