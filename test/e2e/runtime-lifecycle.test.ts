import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesUsing, spawnRuntime } from './support/local-runtime';

/** The environment without any WEBHOOK_SECRET_ variable, so the runtime generates its secrets. */
const withoutSecrets = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WEBHOOK_SECRET_')));

const untilReady = async (runtime: ReturnType<typeof spawnRuntime>) => {
  const deadline = Date.now() + 100_000;
  while (!runtime.output().includes('Ready on')) {
    if (runtime.child.exitCode !== null || Date.now() > deadline) throw new Error(runtime.output());
    await new Promise((done) => setTimeout(done, 50));
  }
  return runtime.output();
};

const printedSecrets = (output: string) =>
  [...output.matchAll(/^\s+([a-z-]+)\s+(whsec_\S+)/gm)].map((m) => `${m[1]}=${m[2]}`);

describe('starting and stopping the local runtime', { timeout: 120_000 }, () => {
  const servers: Server[] = [];
  const runtimes: ReturnType<typeof spawnRuntime>[] = [];
  const folders: string[] = [];
  const spawned = (options: Parameters<typeof spawnRuntime>[0]) => {
    const runtime = spawnRuntime(options);
    runtimes.push(runtime);
    folders.push(runtime.dataDir);
    return runtime;
  };
  const tempFolder = (prefix: string) => {
    const folder = mkdtempSync(join(tmpdir(), prefix));
    folders.push(folder);
    return folder;
  };
  afterAll(() => {
    for (const server of servers) server.close();
    for (const runtime of runtimes) runtime.killGroup();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('says the port is taken and exits non-zero, starting nothing', async () => {
    const server = createServer();
    servers.push(server);
    const port = await new Promise<number>((done) =>
      server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)),
    );
    const runtime = spawned({ council: 'tower-hamlets', port });
    const exit = await runtime.exited;
    expect(exit.code).toBe(1);
    expect(exit.output).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(processesUsing(runtime.dataDir)).toEqual([]);
  });

  it('says Java is missing and exits non-zero when it cannot start DynamoDB Local', async () => {
    const emptyPath = tempFolder('no-java-');
    const exit = await spawned({ council: 'tower-hamlets', env: { PATH: emptyPath } }).exited;
    expect(exit.code).toBe(1);
    expect(exit.output).toContain('DynamoDB Local needs Java 17 or later');
  });

  it('names the councils it knows when given one it does not', async () => {
    const exit = await spawned({ council: 'atlantis' }).exited;
    expect(exit.code).toBe(1);
    expect(exit.output).toContain('bath-ne-somerset, tower-hamlets');
  });

  it('prints where everything is and the secrets it generated, keeps them across a restart and leaves no JVM behind', async () => {
    const dataDir = tempFolder('e2e-secrets-');
    const first = spawned({ council: 'bath-ne-somerset', dataDir, env: withoutSecrets() });
    const output = await untilReady(first);
    expect(output).toContain('Bath and North East Somerset');
    expect(output).toContain(`${dataDir}/outbox/`);
    expect(output).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/v1\/sources\/\{sourceId\}\/events/);
    const secrets = printedSecrets(output);
    expect(secrets.map((s) => s.split('=')[0])).toEqual([
      'avon-somerset-police',
      'schools',
      'youth-offending-service',
      'childrens-social-care',
    ]);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(processesUsing(dataDir)).toEqual([]);

    const second = spawned({ council: 'bath-ne-somerset', dataDir, env: withoutSecrets(), underShell: true });
    expect(printedSecrets(await untilReady(second))).toEqual(secrets);
    // Even when its parent (npm's shell) is killed outright, the runtime notices and takes DynamoDB Local down with it.
    second.child.kill('SIGKILL');
    await second.exited;
    const until = Date.now() + 15_000;
    while (processesUsing(dataDir).length > 0 && Date.now() < until)
      await new Promise((done) => setTimeout(done, 200));
    expect(processesUsing(dataDir)).toEqual([]);
  });
});
