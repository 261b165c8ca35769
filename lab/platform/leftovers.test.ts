// A lab whose daemon died without stopping it (kill -9) leaves its processes running: stopping or starting a lab
// in that directory again kills them and returns only once none holds a port any more. Real processes, no lab.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, portIsFree } from '../net/ports.ts';
import { findRedisServer } from '../redis/server.ts';
import { waitFor } from '../testing/poll.ts';
import { stopDaemon } from './daemon-control.ts';

const dirs: string[] = [];
const started: ChildProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) if (child.pid) kill(-child.pid);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function labDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-leftovers-'));
  dirs.push(dir);
  return dir;
}

function kill(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {}
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

// A pod as the kubelet runs it (own process group, output to its log under the lab dir) that hands its listening
// socket to a child of its own, whose output goes elsewhere; prints both pids once the child holds the socket.
const POD = `
const { fork } = require('node:child_process');
const server = require('node:net').createServer().listen(Number(process.argv[1]), '127.0.0.1', () => {
  const child = fork('-e', ['process.on("message", (m, s) => process.send("held")); setInterval(() => {}, 1e6)'], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  child.send('take', server);
  child.once('message', () => { console.log(JSON.stringify([process.pid, child.pid])); server.close(); });
});
setInterval(() => {}, 1e6);
`;

describe('a lab directory whose daemon was killed', () => {
  it("stopDaemon kills a pod's process group, and returns once its port is free", async () => {
    const dir = labDir();
    const port = await freePort();
    const log = join(dir, 'k8s', 'pods', 'api-1', '0.log');
    mkdirSync(join(log, '..'), { recursive: true });
    const fd = openSync(log, 'a');
    started.push(
      spawn(process.execPath, ['-e', POD, String(port)], { detached: true, stdio: ['ignore', fd, fd] }),
    );
    const pids = await waitFor('the pod and its child to hold the port', async () => {
      const line = readFileSync(log, 'utf8').trim();
      return line ? (JSON.parse(line) as number[]) : undefined;
    });
    expect(await portIsFree(port)).toBe(false);

    const { wasRunning, leftovers } = await stopDaemon(dir);

    expect(wasRunning).toBe(false);
    expect(await portIsFree(port)).toBe(true);
    expect(pids.filter(alive)).toEqual([]);
    expect(leftovers).toBe(2);
  });

  it('stopDaemon kills a redis-server the daemon started (its group leader gone), not a shell in the lab dir', async () => {
    const dir = labDir();
    const port = await freePort();
    const redisDir = join(dir, 'redis', 'eu-west-1');
    mkdirSync(redisDir, { recursive: true });
    const conf = join(redisDir, 'redis.conf');
    writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${redisDir}\nsave ""\ndaemonize no\n`);
    // The daemon's child in the daemon's group: the group outlives its leader, killed alone with kill -9.
    const daemon = spawn('sh', ['-c', `${findRedisServer()} ${conf} & echo $!; wait`], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    started.push(daemon);
    const redisPid = await new Promise<number>((resolve) =>
      daemon.stdout.once('data', (b) => resolve(Number(b))),
    );
    await waitFor('redis-server to listen', async () => !(await portIsFree(port)) || undefined);
    kill(daemon.pid!);
    // Someone reading the lab's log from inside its directory is not the lab.
    const reader = spawn('sleep', ['600'], { cwd: dir, detached: true, stdio: 'ignore' });
    started.push(reader);

    await stopDaemon(dir);

    expect(await portIsFree(port)).toBe(true);
    expect(alive(redisPid)).toBe(false);
    expect(alive(reader.pid!)).toBe(true);
  });
});
