import { parseArgs } from 'node:util';
import * as z from 'zod';
import { councilIds, loadCouncilFile } from '../infra/councils/council-files';
import { localDynamoDbClient } from '../infra/local/local-episode-table';
import { scanEpisodes } from '../shared/adapters/dynamo-episode-scan';
import { episodeTableClient } from '../shared/adapters/dynamo-episode-store';
import { Instant } from '../shared/events/event-schemas';
import { renderReport, reportFormats, ssda903Csv } from '../shared/reports/report-output';
import { LocalPeriod, monthPeriod, reportingYear } from '../shared/reports/report-period';
import { ssda903Missing } from '../shared/reports/ssda903-missing';
import { timelinessReport } from '../shared/reports/timeliness-report';

/**
 * Reads a council's episodes from its table (DynamoDB Local with --endpoint, else AWS with the usual
 * credentials and AWS_REGION) and prints the timeliness report, or with --extract ssda903 the SSDA903
 * Missing table for a reporting year as CSV.
 */
const usage = `usage:
  npm run report -- --council ID (--month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD) [--format table|csv|json]
  npm run ssda903 -- --council ID --year YYYY      (the year starting 1 April YYYY)
options: --endpoint URL (DynamoDB Local, as npm start prints it)  --table NAME (default episodes-<council>, the
local runtime's name; or TABLE_NAME)  --now ISO-8601 (the clock for "overdue"; default now)`;

const Options = z
  .object({
    council: z.enum(councilIds() as [string, ...string[]]),
    extract: z.literal('ssda903').optional(),
    month: z
      .string()
      .regex(/^\d{4}-\d{2}$/, 'YYYY-MM')
      .optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    format: z.enum(reportFormats).default('table'),
    endpoint: z.url().optional(),
    table: z.string().min(3).optional(),
    now: z._default(Instant, () => new Date().toISOString()),
  })
  .refine((o) => o.extract !== 'ssda903' || o.year !== undefined, {
    message: '--year is required',
    path: ['year'],
  })
  .refine((o) => o.extract === 'ssda903' || o.month !== undefined || (o.from && o.to), {
    message: 'give --month, or --from and --to',
    path: ['month'],
  });

const { values } = parseArgs({
  options: Object.fromEntries(
    ['council', 'extract', 'month', 'from', 'to', 'year', 'format', 'endpoint', 'table', 'now'].map(
      (name) => [name, { type: 'string' as const }],
    ),
  ),
});
const parsed = Options.safeParse(values);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`--${issue.path.join('.')}: ${issue.message}`);
  console.error(usage);
  process.exit(2);
}
const options = parsed.data;
const council = loadCouncilFile(options.council);
const tableName = options.table ?? process.env.TABLE_NAME ?? `episodes-${council.id}`;
const doc = episodeTableClient(options.endpoint ? localDynamoDbClient(options.endpoint) : undefined);

try {
  const episodes = await scanEpisodes(doc, tableName);
  if (options.extract === 'ssda903') {
    process.stdout.write(
      ssda903Csv(ssda903Missing(episodes, council.timeZone, reportingYear(options.year as number))),
    );
  } else {
    const period = options.month
      ? monthPeriod(`${options.month}-01`)
      : LocalPeriod.parse({ from: options.from, to: options.to });
    process.stdout.write(
      renderReport(timelinessReport(episodes, council, period, options.now), options.format),
    );
  }
} finally {
  doc.destroy();
}
