// maxSurge / maxUnavailable as the deployment controller resolves them (25 % each by default).

function resolve(
  value: number | string | undefined,
  fallback: string,
  replicas: number,
  roundUp: boolean,
): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const percent = /^(\d+)%$/.exec(v);
  if (!percent) return Number(v) || 0;
  const exact = (Number(percent[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Surge rounds up and unavailability down, and both cannot be 0 (then unavailability becomes 1). */
export function rollingLimits(
  strategy:
    | { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } }
    | undefined,
  replicas: number,
): { maxSurge: number; maxUnavailable: number } {
  if (strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
  const maxSurge = resolve(strategy?.rollingUpdate?.maxSurge, '25%', replicas, true);
  let maxUnavailable = resolve(strategy?.rollingUpdate?.maxUnavailable, '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}
