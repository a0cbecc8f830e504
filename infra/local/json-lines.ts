import { appendFileSync, existsSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';

/**
 * The JSON lines of an append-only file, oldest first. A last line cut short by a crash mid-append is
 * dropped and cut from the file, so the next append starts on a line of its own.
 */
export const readJsonLines = (file: string): unknown[] => {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, complete)));
  return text
    .slice(0, complete)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
};

/**
 * Appends values as JSON lines in one write, before returning: once this returns, a kill of the process
 * loses none of them (the operating system holds the write even if this process dies next).
 */
export const appendJsonLines = (file: string, values: unknown[]): void => {
  if (values.length > 0) appendFileSync(file, values.map((value) => `${JSON.stringify(value)}\n`).join(''));
};

/** Replaces the file's lines all at once: a crash leaves either the old file or the new one, never half. */
export const rewriteJsonLines = (file: string, values: unknown[]): void => {
  const next = `${file}.next`;
  writeFileSync(next, values.map((value) => `${JSON.stringify(value)}\n`).join(''));
  renameSync(next, file);
};
