import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, test } from 'vitest';
import { awsMailDeps } from '../../../functions/notify/aws-mail-deps';
import { bathNes } from '../../support/councils';

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
    const deps = awsMailDeps('notify', env);
    expect(deps.council.id).toBe('bath-ne-somerset');
    await deps.mailer.send({ to: ['duty@example.org'], cc: [], subject: 's', text: 't', html: 'h' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toMatchObject({
      Source: 'missing-episodes@bathnes.invalid',
      ConfigurationSetName: 'bathnes-emails',
    });
  });

  test('a missing table name stops the cold start, naming the variable', () => {
    const { TABLE_NAME: _, ...withoutTable } = env;
    expect(() => awsMailDeps('notify', withoutTable)).toThrow(/TABLE_NAME/);
  });

  test('production refuses a council file whose inboxes are placeholders', () => {
    expect(() => awsMailDeps('notify', { ...env, STAGE: 'production' })).toThrow(/placeholder/);
  });
});
