import { readFileSync, writeFileSync } from 'node:fs';
import { loadCouncilFiles } from '../infra/councils/council-files';
import { withCouncilTables } from '../shared/council/council-summary';

// Rewrites the README's tables of who is told what from the council files; a test fails until this is run.
const target = new URL('../README.md', import.meta.url);
writeFileSync(target, withCouncilTables(readFileSync(target, 'utf8'), loadCouncilFiles()));
console.log(`wrote the council tables in ${target.pathname}`);
