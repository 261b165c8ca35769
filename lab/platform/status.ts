// What runs in a lab and which region is writer: for `pnpm lab status` and the control API.
import type { Lab } from '../lab.ts';
import { LUNEO, REGIONS, type Region } from '../regions.ts';

export interface LabStatus {
  writer: Region | null;
  dns: { answer: string | null; region: Region | null };
  replicationLagMs: number | null;
  regions: Record<Region, { database: string; sync: string; pods: { deployment: string; ready: number }[] }>;
  faults: ReturnType<Lab['faults']['active']>;
  pids: number[];
}

export async function labStatus(lab: Lab): Promise<LabStatus> {
  const answer = lab.aws.resolve(LUNEO.apiRecordName);
  const regions = {} as LabStatus['regions'];
  for (const region of REGIONS) {
    regions[region] = {
      database: await lab.db.role(region),
      sync: lab.db.syncStatus(region),
      pods: LUNEO.deployments.map((deployment) => ({
        deployment,
        ready: lab.clusters[region].readyEndpoints(LUNEO.namespace, deployment).length,
      })),
    };
  }
  return {
    writer: lab.db.writer(),
    dns: { answer: answer?.value ?? null, region: answer?.region ?? null },
    replicationLagMs: await lab.db.replicationLagMs(),
    regions,
    faults: lab.faults.active(),
    pids: [...lab.db.pids(), ...REGIONS.flatMap((r) => lab.clusters[r].podPids())],
  };
}

export function formatStatus(status: LabStatus, publicUrl: string): string {
  const lines = [
    `public URL   ${publicUrl} → ${status.dns.answer ?? 'no answer'} (${status.dns.region ?? '-'})`,
    `writer       ${status.writer ?? 'none'}   replication lag ${status.replicationLagMs === null ? 'n/a' : `${Math.round(status.replicationLagMs)} ms`}`,
  ];
  for (const region of REGIONS) {
    const r = status.regions[region];
    const pods = r.pods.map((p) => `${p.deployment} ${p.ready} ready`).join(', ');
    lines.push(`${region.padEnd(12)} database ${r.database} (${r.sync}); ${pods}`);
  }
  lines.push(
    status.faults.length
      ? `faults       ${status.faults.map((f) => f.detail).join('; ')}`
      : 'faults       none',
  );
  return lines.join('\n');
}
