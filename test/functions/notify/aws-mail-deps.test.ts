import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, test } from 'vitest';
import { awsMailDeps } from '../../../functions/notify/aws-mail-deps';
import { DynamoEpisodeStore } from '../../../shared/adapters/dynamo-episode-store';
import { bathNes, deployable } from '../../support/councils';

const ses = mockClient(SESClient);
const env = {
  COUNCIL_CONFIG: JSON.stringify(bathNes),
  STAGE: 'test',
  TABLE_NAME: 'episodes',
  SES_CONFIGURATION_SET: 'bathnes-emails',
  AWS_REGION: 'eu-west-2',
};

describe('the mail functions environment', () => {
  test('sends as the council, through the configured SES configuration set', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const deps = awsMailDeps('notify', DynamoEpisodeStore, env);
    expect(deps.council.id).toBe('bath-ne-somerset');
    await deps.mailer.send({ to: ['duty@example.org'], cc: [], subject: 's', text: 't', html: 'h' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toMatchObject({
      Source: 'missing-episodes@bathnes.invalid',
      ConfigurationSetName: 'bathnes-emails',
    });
  });

  test('a missing table name stops the cold start, naming the variable', () => {
    const { TABLE_NAME: _, ...withoutTable } = env;
    expect(() => awsMailDeps('notify', DynamoEpisodeStore, withoutTable)).toThrow(/TABLE_NAME/);
  });

  test("a staging stack sends every email to the operators' test inbox, naming whom it was meant for", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    const council = deployable(bathNes);
    const deps = awsMailDeps('notify', DynamoEpisodeStore, {
      ...env,
      STAGE: 'staging',
      COUNCIL_CONFIG: JSON.stringify(council),
    });
    await deps.mailer.send({
      to: ['duty@example.org'],
      cc: ['managers@example.org'],
      subject: 'Child missing',
      text: 't',
      html: '<html><body><p>h</p></body></html>',
    });
    const input = ses.commandCalls(SendEmailCommand).at(-1)?.args[0].input;
    expect(input?.Destination).toEqual({
      ToAddresses: ['missing-episodes-test@bathnes.gov.uk'],
      CcAddresses: [],
    });
    expect(input?.Source).toBe('missing-episodes@bathnes.gov.uk');
    expect(input?.Message?.Subject?.Data).toBe('[Staging] Child missing');
    expect(input?.Message?.Body?.Text?.Data).toContain('Meant for: duty@example.org, managers@example.org');
    expect(input?.Message?.Body?.Html?.Data).toMatch(
      /<body><div [^>]*>.*Meant for: duty@example\.org.*<\/div><p>h<\/p>/,
    );
  });

  test('a staging stack refuses a council file with a placeholder sending domain or test inbox', () => {
    expect(() => awsMailDeps('notify', DynamoEpisodeStore, { ...env, STAGE: 'staging' })).toThrow(
      /email\.from[\s\S]*email\.testInbox/,
    );
  });

  test('production refuses a council file whose inboxes are placeholders', () => {
    expect(() => awsMailDeps('notify', DynamoEpisodeStore, { ...env, STAGE: 'production' })).toThrow(
      /placeholder/,
    );
  });
});
