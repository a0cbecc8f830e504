import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the bench started: a busy machine makes every figure worse. */
  loadAverage1m: number;
}

const gib = (bytes: number) => Math.round((bytes / 2 ** 30) * 10) / 10;

export const describeMachine = (): Machine => ({
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: gib(totalmem()),
  freeMemoryGiB: gib(freemem()),
  node: process.version,
  os: `${type()} ${release()}`,
  loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
});
