import { describe, expect, it } from 'vitest';
import { episodeLinks } from '../../../shared/actions/action-links';
import { verifyToken } from '../../../shared/actions/action-token';

const key = 'a-key-of-at-least-thirty-two-characters-0123';
const now = '2026-10-24T10:00:00.000Z';
const errors: Record<string, unknown>[] = [];
const log = { error: (_: string, attributes: Record<string, unknown>) => errors.push(attributes) };

describe("an episode's links in its emails", () => {
  it('point at the action page with a token that verifies for the step and agency they record', async () => {
    const link = await episodeLinks(
      {
        pageUrl: 'https://api.example/v1/actions',
        keys: { keys: async () => [key, 'an-older-key-still-verifying-0123456789'] },
      },
      'episode-1',
      now,
      log,
    );
    const url = new URL(link!('return_home_interview', 'exploitation-service'));
    expect(url.origin + url.pathname).toBe('https://api.example/v1/actions');
    expect(verifyToken(url.searchParams.get('token')!, [key], now)).toMatchObject({
      ok: true,
      grant: { episodeId: 'episode-1', step: 'return_home_interview', agencyId: 'exploitation-service' },
    });
  });

  it('are left out, and the failure logged for the alarm, when the keys cannot be read: the email still goes', async () => {
    const link = await episodeLinks(
      {
        pageUrl: 'https://api.example/v1/actions',
        keys: {
          keys: async () => {
            throw new Error('connect ECONNREFUSED 127.0.0.1:2773');
          },
        },
      },
      'episode-1',
      now,
      log,
    );
    expect(link).toBeUndefined();
    expect(errors).toEqual([
      {
        actionLinksUnavailable: true,
        episodeId: 'episode-1',
        reason: 'Error: connect ECONNREFUSED 127.0.0.1:2773',
      },
    ]);
  });

  it('are none where the emails carry no links', async () => {
    expect(await episodeLinks(undefined, 'episode-1', now, log)).toBeUndefined();
  });
});
