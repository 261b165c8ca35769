// What runs in a lab and which region is writer: for `pnpm lab status` and the control API.
import type { Lab } from '../lab.ts';
import { LUNEO, REGIONS, type Region } from '../regions.ts';
import { databaseReach, httpReach, type Reach } from './reach.ts';

/** How long each reachability check waits: a blackholed path never answers, so this bounds `lab status`. */
const REACH_TIMEOUT_MS = 1500;

export interface LabStatus {
  writer: Region | null;
  dns: { answer: string | null; region: Region | null };
  replicationLagMs: number | null;
  /** Whether the WAN between the regions' databases is up. */
  replicating: boolean;
  /** GET <public URL>/health, as a user sends it. */
  public: Reach;
  regions: Record<
    Region,
    {
      database: string;
      sync: string;
      /** What that region's clients see: the database through its client Link, the load balancer through its Link. */
      reach: { database: Reach; loadBalancer: Reach; awsControlPlane: boolean };
      pods: { deployment: string; ready: number }[];
    }
  >;
  faults: ReturnType<Lab['faults']['active']>;
  pids: number[];
}

export async function labStatus(lab: Lab): Promise<LabStatus> {
  const answer = lab.aws.resolve(LUNEO.apiRecordName);
  const regions = {} as LabStatus['regions'];
  const reaches = await Promise.all(
    REGIONS.map(async (region) => {
      const { albUrl, albHost } = lab.info.regions[region];
      const [database, loadBalancer] = await Promise.all([
        databaseReach(lab.db.url(region), REACH_TIMEOUT_MS),
        httpReach(`${albUrl}/health`, REACH_TIMEOUT_MS, albHost),
      ]);
      return { database, loadBalancer, awsControlPlane: lab.faults.controlPlaneReachable(region, undefined) };
    }),
  );
  const publicReach = httpReach(`${lab.info.publicUrl}/health`, REACH_TIMEOUT_MS);
  for (const [i, region] of REGIONS.entries()) {
    regions[region] = {
      database: await lab.db.role(region),
      sync: lab.db.syncStatus(region),
      reach: reaches[i] as LabStatus['regions'][Region]['reach'],
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
    replicating: lab.db.wanIsUp(),
    public: await publicReach,
    regions,
    faults: lab.faults.active(),
    pids: [...lab.db.pids(), ...REGIONS.flatMap((r) => lab.clusters[r].podPids())],
  };
}

const reachText = (r: Reach) => (r.ok ? r.detail : `UNREACHABLE: ${r.detail}`);

export function formatStatus(status: LabStatus, publicUrl: string): string {
  const lines = [
    `public URL   ${publicUrl} → ${status.dns.answer ?? 'no answer'} (${status.dns.region ?? '-'}): /health ${reachText(status.public)}`,
    `writer       ${status.writer ?? 'none'}   replication ${status.replicating ? 'streaming' : 'BROKEN (WAN cut)'}, lag ${status.replicationLagMs === null ? 'n/a' : `${Math.round(status.replicationLagMs)} ms`}`,
  ];
  for (const region of REGIONS) {
    const r = status.regions[region];
    const pods = r.pods.map((p) => `${p.deployment} ${p.ready} ready`).join(', ');
    lines.push(
      `${region.padEnd(12)} database ${r.database} (${r.sync}), from clients ${reachText(r.reach.database)}`,
      `${''.padEnd(12)} load balancer /health ${reachText(r.reach.loadBalancer)}; AWS endpoints ${r.reach.awsControlPlane ? 'answer' : 'UNREACHABLE'}; ${pods}`,
    );
  }
  lines.push(
    status.faults.length
      ? `faults       ${status.faults.map((f) => f.detail).join('; ')}`
      : 'faults       none',
  );
  return lines.join('\n');
}
