import type { CouncilConfig } from '../council/council-schema';
import type { EmailButton } from '../email/email-document';
import type { EpisodeState } from '../episode/episode-state';
import type { NotifyLog } from '../notify/send-once';
import type { LinkKeySource } from '../ports';
import type { Recipient } from '../routing/recipients';
import { eventsMayRecord, isWanted, stepTitles } from './action-steps';
import { issueToken } from './action-token';
import type { StepKind } from './step-kinds';

/** The action page's path on the HTTP API, in AWS and locally: the links in emails open it. */
export const ACTION_PAGE_PATH = '/v1/actions';

/** Where links in emails point and what signs them: the action page's URL and the link keys. */
export interface ActionLinks {
  pageUrl: string;
  keys: LinkKeySource;
}

/** A link that records one step of one episode in an agency's name, for the emails about that episode. */
export type StepLink = (step: StepKind, agencyId: string) => string;

/**
 * The links of one episode's emails, signed with the current key, or undefined where the emails carry none:
 * no links configured, or no key to be had, which is logged for the operators' alarm (an email without its
 * button still says what to do and by when; holding the email back for a button would not). One key read for
 * a message's emails, not one per link.
 */
export const episodeLinks = async (
  links: ActionLinks | undefined,
  episodeId: string,
  now: string,
  log: Pick<NotifyLog, 'error'>,
): Promise<StepLink | undefined> => {
  if (!links) return undefined;
  let key: string | undefined;
  try {
    [key] = await links.keys.keys();
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    log.error('action links unavailable: emails go without their buttons', {
      actionLinksUnavailable: true,
      episodeId,
      reason: `${name}: ${message}`,
    });
    return undefined;
  }
  if (!key) return undefined;
  return (step, agencyId) => `${links.pageUrl}?token=${issueToken({ episodeId, step, agencyId }, key, now)}`;
};

/**
 * The buttons one recipient's email carries: for each step it asks of them that their agency may record from
 * its emails and that the episode still wants, a link that records it in their agency's name.
 */
export const stepButtons = (
  steps: readonly (StepKind | undefined)[],
  recipient: Recipient,
  episode: EpisodeState,
  council: CouncilConfig,
  link: StepLink | undefined,
): EmailButton[] =>
  link
    ? [...new Set(steps)]
        .filter((step): step is StepKind => step !== undefined)
        .filter(
          (step) => eventsMayRecord(council, recipient.agency, step).length > 0 && isWanted(step, episode),
        )
        .map((step) => ({ text: stepTitles[step], href: link(step, recipient.agency) }))
    : [];
