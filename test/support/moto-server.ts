import { spawn } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { freePort, stopProcess } from '../../infra/local/dynamodb-local-server';

/** An email as moto's SES kept it (`GET /moto-api/data.json`): moto keeps the HTML body when there is one. */
export interface MotoEmail {
  id: string;
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses?: string[]; CcAddresses?: string[] };
}

export interface MotoServer {
  /** AWS_ENDPOINT_URL for every SDK client that should reach it. */
  endpoint(): string;
  /** Every email moto's SES has "sent", oldest first. */
  sentEmails(): Promise<MotoEmail[]>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Starts moto_server (an AWS emulator: SQS, EventBridge Scheduler, Secrets Manager, SES) on a free loopback
 * port for the calling test file, and stops it after. moto enforces no IAM or KMS and fires no schedule.
 */
export const useMotoServer = (): MotoServer => {
  let endpoint: string | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'pipe' });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    stop = async () => {
      process.removeListener('exit', killOnExit);
      await stopProcess(child);
    };
    const url = `http://127.0.0.1:${port}`;
    // A loaded 2-core machine can take far longer than the usual second to import moto.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(1_000) }).then(
        (answer) => answer.ok,
        () => false,
      );
      if (ready) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`moto_server did not start on port ${port}: ${output.trim()}`);
      }
      await sleep(100);
    }
    endpoint = url;
  }, 90_000);
  afterAll(async () => {
    await stop?.();
  });
  const running = () => {
    if (!endpoint) throw new Error('moto_server is not running: call useMotoServer() at the top of the file');
    return endpoint;
  };
  return {
    endpoint: running,
    async sentEmails() {
      const data = (await (await fetch(`${running()}/moto-api/data.json`)).json()) as {
        ses?: { Message?: MotoEmail[] };
      };
      return data.ses?.Message ?? [];
    },
  };
};
