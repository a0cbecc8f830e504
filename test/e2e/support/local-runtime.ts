import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { loadCouncilFile } from '../../../infra/councils/council-files';
import { isSettled, LocalStatus } from '../../../infra/local/local-status';
import { OutboxEntry } from '../../../infra/local/outbox-mailer';
import { type SendOptions, sendSignedEvent } from '../../../infra/local/webhook-sender';
import { sourceSecretVariable } from '../../../shared/adapters/env-secret-source';
import { webhookSources } from '../../../shared/council/council-schema';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');

export interface RuntimeOptions {
  council: string;
  dataDir?: string;
  /** 0 (the default): a free port, read back from the "Ready on" line. */
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Started by a shell, as `npm start` starts it, rather than directly: a parent that can be killed. */
  underShell?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs `npm start`'s command (node --import tsx infra/local/start.ts) as a child process, as a person would. */
export const spawnRuntime = (options: RuntimeOptions) => {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `e2e-${options.council}-`));
  const command = [
    process.execPath,
    '--import',
    'tsx',
    'infra/local/start.ts',
    '--council',
    options.council,
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    dataDir,
  ];
  const [file, ...args] = options.underShell ? ['sh', '-c', '"$@"; exit', 'sh', ...command] : command;
  const child: ChildProcess = spawn(
    file as string,
    args,
    // Its own process group, so a test that fails half way can still end its shell, the runtime and the JVM.
    {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group has already gone.
    }
  };
  process.once('exit', killGroup);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<Exit>((done) =>
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killGroup);
      done({ code, signal, output });
    }),
  );
  return { child, dataDir, exited, output: () => output, killGroup };
};

/** Runs `npm run demo`'s entry against a running runtime; resolves when it ends. */
export const runDemo = (url: string, env: NodeJS.ProcessEnv): Promise<Exit> =>
  new Promise((done) => {
    const child = spawn(process.execPath, [tsxCli, 'infra/local/demo.ts', '--url', url], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => done({ code, signal, output }));
  });

/** Processes whose command line names this data folder: DynamoDB Local's JVM among them while it runs. */
export const processesUsing = (dataDir: string): string[] =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dataDir) && line.includes('java'));

export type LocalRuntime = Awaited<ReturnType<typeof startRuntime>>;

/** Starts the runtime and waits for its "Ready on" line; every source's secret is chosen by the test. */
export const startRuntime = async (options: RuntimeOptions) => {
  const secrets: Record<string, string> = {};
  const env: NodeJS.ProcessEnv = { ...options.env };
  const secretOf = (sourceId: string) => {
    const variable = sourceSecretVariable(sourceId);
    secrets[sourceId] ??= `whsec_${Buffer.from(`e2e secret for ${sourceId} 1234`).toString('base64')}`;
    env[variable] = secrets[sourceId];
    return secrets[sourceId];
  };
  for (const sourceId of Object.keys(webhookSources(loadCouncilFile(options.council)))) secretOf(sourceId);
  const running = spawnRuntime({ ...options, env });
  const deadline = Date.now() + 100_000;
  let url: string | undefined;
  while (!url) {
    url = /Ready on (http:\/\/[\d.:]+)/.exec(running.output())?.[1];
    if (running.child.exitCode !== null || Date.now() > deadline) {
      running.killGroup();
      throw new Error(`the local runtime did not start:\n${running.output()}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  const baseUrl = url;
  const actionsUrl = /Pages +(http:\/\/[\d.:]+\/v1\/actions)/.exec(running.output())?.[1] ?? '';

  const getJson = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  };
  const status = async () => LocalStatus.parse(await getJson('/_local/status'));
  const outbox = async () => z.array(OutboxEntry).parse(await getJson('/_local/outbox'));

  return {
    url: baseUrl,
    /** Where the links in emails open: the action pages' own port. */
    actionsUrl,
    dataDir: running.dataDir,
    output: running.output,
    secret: (sourceId: string) => secrets[sourceId] ?? '',
    /** The WEBHOOK_SECRET_ variables the runtime was started with, for another process that signs. */
    secretEnv: () => ({ ...env }),
    send: (sourceId: string, event: Record<string, unknown>, sendOptions?: SendOptions) =>
      sendSignedEvent(baseUrl, sourceId, secrets[sourceId] ?? 'whsec_AAAA', event, sendOptions),
    status,
    outbox,
    /** The outbox once every commit is dispatched and the queue has handed every message to notify. */
    async settledOutbox() {
      const until = Date.now() + 30_000;
      while (!isSettled(await status())) {
        if (Date.now() > until) throw new Error('the outbox stream and the routing queue did not settle');
        await new Promise((done) => setTimeout(done, 50));
      }
      return outbox();
    },
    async advanceClock(advance: string) {
      const response = await fetch(`${baseUrl}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ advance }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    /**
     * SIGKILL to its whole process group (the runtime, DynamoDB Local's JVM and any shell), as a power cut or the
     * OOM killer would end it: nothing gets to stop cleanly. Resolves once no process of it is left.
     */
    async kill(): Promise<Exit> {
      running.killGroup();
      const exit = await running.exited;
      const until = Date.now() + 15_000;
      while (processesUsing(running.dataDir).length > 0 && Date.now() < until) {
        await new Promise((done) => setTimeout(done, 100));
      }
      return exit;
    },
    /** Stops it and deletes its data folder: what a test does when done with it. */
    async discard(): Promise<void> {
      await this.stop();
      rmSync(running.dataDir, { recursive: true, force: true });
    },
    /** Ctrl-C (to the runtime only: it must stop the JVM itself), and how it ended; forced after 20 s. */
    async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<Exit> {
      if (running.child.exitCode === null) running.child.kill(signal);
      const force = setTimeout(running.killGroup, 20_000);
      const exit = await running.exited;
      clearTimeout(force);
      return exit;
    },
  };
};
