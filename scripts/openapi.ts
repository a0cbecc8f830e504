import { writeFileSync } from 'node:fs';
import { openApiJson } from '../shared/openapi/openapi-document';

// Regenerates the integrators' contract from the zod schemas; the drift test fails until this is run.
const target = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(target, openApiJson());
console.log(`wrote ${target.pathname}`);
