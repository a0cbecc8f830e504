import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCouncilFiles } from '../../../infra/councils/council-files';
import { councilSummary, withCouncilTables } from '../../../shared/council/council-summary';
import { parseCouncil } from '../../../shared/council/load-council';
import { councils, towerHamlets } from '../../support/councils';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe("the README's tables of who is told what", () => {
  it('are the council files’ own: run npm run council-tables after changing a council file', () => {
    expect(
      readme === withCouncilTables(readme, loadCouncilFiles()),
      'README.md drifted from the council files',
    ).toBe(true);
  });

  it.each(councils)('$id: list every agency, with the categories of detail it holds', (council) => {
    const table = councilSummary(council);
    for (const [id, agency] of Object.entries(council.agencies)) {
      expect(table).toContain(`| ${agency.name} (\`${id}\`) |`);
    }
    expect(table).toMatch(/\| identity, education \|/);
  });

  it('follow a change to a council file', () => {
    const changed = structuredClone(towerHamlets);
    const bullying = changed.routing.find((rule) => rule.id === 'bullying');
    if (!bullying?.notify[0]) throw new Error('Tower Hamlets routes bullying');
    bullying.notify[0].action = 'Talk to the child about bullying before they come back.';
    const table = councilSummary(parseCouncil(changed));
    expect(table).not.toEqual(councilSummary(towerHamlets));
    expect(table).toContain(
      '| `missing.reported`, `missing.risk_assessed`, `rhi.completed`: newly recording bullying | Talk to the child about bullying before they come back. |',
    );
  });
});
