import { randomUUID } from 'node:crypto';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EnvSecretSource } from '../../../shared/adapters/env-secret-source';
import {
  atExpression,
  EventBridgeDeadlineScheduler,
  scheduleName,
} from '../../../shared/adapters/eventbridge-deadline-scheduler';
import { SecretsManagerPseudonymKey } from '../../../shared/adapters/secrets-manager-pseudonym-key';
import { SecretsManagerSecretSource } from '../../../shared/adapters/secrets-manager-secret-source';
import { SqsRoutingQueue } from '../../../shared/adapters/sqs-routing-queue';
import type { DeadlineNotice } from '../../../shared/deadlines/deadline-notices';
import type { DomainErrorKind } from '../../../shared/domain-error';
import { problemDocument } from '../../../shared/intake/problem-document';

const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);
const secretsManager = mockClient(SecretsManagerClient);

beforeEach(() => {
  sqs.reset();
  scheduler.reset();
  secretsManager.reset();
});

const awsError = (name: string) => Object.assign(new Error(name), { name });

describe('SQS routing queue', () => {
  const queue = () => new SqsRoutingQueue(new SQSClient({ region: 'eu-west-2' }), 'https://sqs.example/q');
  const messages = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ episodeId: 'ep', eventId: `evt-${i}`, sourceId: 'met-police' }));
  const batches = () => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries ?? []);

  it('sends messages in batches of at most ten', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await queue().send(messages(23));
    expect(batches().map((entries) => entries.length)).toEqual([10, 10, 3]);
  });

  it('sends again only the entries a batch reports as failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
      })
      .resolves({ Successful: [], Failed: [] });
    await queue().send(messages(3));
    const [first, retry] = batches();
    expect(first).toHaveLength(3);
    expect(retry?.map((e) => JSON.parse(e.MessageBody ?? '').eventId)).toEqual(['evt-1']);
  });

  it('throws when entries still fail after the retries', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }],
    });
    await expect(queue().send(messages(1))).rejects.toThrow(/not queued after 3 attempts/);
    expect(batches()).toHaveLength(3);
  });
});

describe('EventBridge deadline scheduler', () => {
  const notice: DeadlineNotice = {
    deadlineKind: 'return_home_interview',
    notice: 'reminder',
    hoursBefore: 24,
    fireAt: '2026-10-26T08:30:00.000Z',
    dueAt: '2026-10-27T08:30:00.000Z',
  };
  const adapter = () =>
    new EventBridgeDeadlineScheduler(new SchedulerClient({ region: 'eu-west-2' }), {
      groupName: 'g',
      targetArn: 'arn:aws:lambda:::function:reminder',
      roleArn: 'arn:aws:iam:::role/r',
      deadLetterArn: 'arn:aws:sqs:::dlq',
    });

  it('names a schedule within 64 allowed characters for every kind of notice', () => {
    const episodeId = randomUUID();
    const notices: DeadlineNotice[] = [
      notice,
      { ...notice, hoursBefore: 168 },
      {
        ...notice,
        deadlineKind: 'prevention_interview',
        notice: 'escalation',
        fireAt: '2099-12-31T23:59:00Z',
      },
    ];
    for (const n of notices) {
      const name = scheduleName(episodeId, n);
      expect(name.startsWith(`${episodeId}-`)).toBe(true);
      expect(name).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
    }
  });

  it('writes the fire time as a UTC at() expression to the second', () => {
    expect(atExpression('2026-10-26T09:30:00+01:00')).toBe('at(2026-10-26T08:30:00)');
  });

  it('counts a schedule that already exists as made', async () => {
    scheduler.on(CreateScheduleCommand).rejects(awsError('ConflictException'));
    await expect(adapter().schedule('ep', notice)).resolves.toBeUndefined();
  });

  it('passes on any other failure to make a schedule', async () => {
    scheduler.on(CreateScheduleCommand).rejects(awsError('ThrottlingException'));
    await expect(adapter().schedule('ep', notice)).rejects.toThrow('ThrottlingException');
  });

  it('counts a schedule already gone as cancelled, by the same name it was made with', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(awsError('ResourceNotFoundException'));
    await expect(adapter().cancel('ep', notice)).resolves.toBeUndefined();
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: scheduleName('ep', notice),
      GroupName: 'g',
    });
  });
});

describe('source secrets', () => {
  const source = () =>
    new SecretsManagerSecretSource(new SecretsManagerClient({ region: 'eu-west-2' }), 'p/');

  it('reads one secret stored as a plain string, once per container', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'whsec_abc' });
    const secrets = source();
    expect(await secrets.secretsFor('schools')).toEqual(['whsec_abc']);
    expect(await secrets.secretsFor('schools')).toEqual(['whsec_abc']);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe('p/schools');
  });

  it('knows no secret for a source with none stored, so its deliveries cannot verify', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(awsError('ResourceNotFoundException'));
    expect(await source().secretsFor('schools')).toEqual([]);
  });

  it('does not keep a failed read: the next request reads again', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(awsError('InternalServiceError'))
      .resolves({ SecretString: '["whsec_a","whsec_b"]' });
    const secrets = source();
    await expect(secrets.secretsFor('schools')).rejects.toThrow('InternalServiceError');
    expect(await secrets.secretsFor('schools')).toEqual(['whsec_a', 'whsec_b']);
  });

  it('reads local secrets from WEBHOOK_SECRET_<SOURCE_ID>, one or a JSON array', async () => {
    const env = { WEBHOOK_SECRET_MET_POLICE: 'whsec_one', WEBHOOK_SECRET_SCHOOLS: '["whsec_a","whsec_b"]' };
    const secrets = new EnvSecretSource(env);
    expect(await secrets.secretsFor('met-police')).toEqual(['whsec_one']);
    expect(await secrets.secretsFor('schools')).toEqual(['whsec_a', 'whsec_b']);
    expect(await secrets.secretsFor('exploitation-team')).toEqual([]);
  });
});

describe("the registry's pseudonym key", () => {
  const KEY = 'k'.repeat(64);
  const pseudonymKey = () =>
    new SecretsManagerPseudonymKey(new SecretsManagerClient({ region: 'eu-west-2' }), 'arn:key');

  it('is read once per container, however many reports ask for it at once', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    const key = pseudonymKey();
    expect(await Promise.all([key.key(), key.key()])).toEqual([KEY, KEY]);
    expect(await key.key()).toBe(KEY);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe('arn:key');
  });

  it('does not keep a failed read, and refuses a key too short to be the generated one', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(awsError('InternalServiceError'))
      .resolvesOnce({ SecretString: 'short' })
      .resolves({ SecretString: KEY });
    const key = pseudonymKey();
    await expect(key.key()).rejects.toThrow('InternalServiceError');
    await expect(key.key()).rejects.toThrow('fewer than 32 characters');
    expect(await key.key()).toBe(KEY);
  });
});

describe('problem documents', () => {
  it.each([
    ['invalid', 400],
    ['unauthorised', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['too_large', 413],
    ['unprocessable', 422],
  ] as [DomainErrorKind, number][])('answers %s with %i', (kind, status) => {
    const document = problemDocument({ kind, detail: 'd', issues: [{ field: 'data.x', message: 'm' }] });
    expect(document).toEqual({
      type: expect.stringContaining(kind.replace('_', '-')),
      title: expect.any(String),
      status,
      detail: 'd',
      errors: [{ field: 'data.x', message: 'm' }],
    });
  });
});
