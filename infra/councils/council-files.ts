import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CouncilConfig } from '../../shared/council/council-schema';
import { CouncilConfigError, parseCouncil } from '../../shared/council/load-council';

/** The council files: one JSON file per council in this folder. Adding a council is adding a file. */
export const councilsDir = dirname(fileURLToPath(import.meta.url));

export const councilIds = (dir = councilsDir): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => basename(name, '.json'))
    .sort();

export const loadCouncilFile = (id: string, dir = councilsDir): CouncilConfig => {
  const path = join(dir, `${id}.json`);
  const council = parseCouncil(JSON.parse(readFileSync(path, 'utf8')), path);
  if (council.id !== id) throw new Error(`${path}: id "${council.id}" must match the file name "${id}"`);
  // The bundles leave it out, so only the file can say why each rule exists.
  const unexplained = council.routing.flatMap((rule, i) => (rule.why ? [] : [`routing.${i}.why`]));
  if (unexplained.length > 0) {
    throw new CouncilConfigError(
      `${path}: say why each routing rule exists, in the guide's words: ${unexplained.join(', ')}`,
    );
  }
  return council;
};

export const loadCouncilFiles = (dir = councilsDir): CouncilConfig[] =>
  councilIds(dir).map((id) => loadCouncilFile(id, dir));
