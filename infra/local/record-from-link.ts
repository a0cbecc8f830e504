import { stepTitles } from '../../shared/actions/action-steps';
import type { StepKind } from '../../shared/actions/step-kinds';

/** The link an email offers to record a step, read from its plain-text part ("Record the ...: <url>"). */
export const stepLinkIn = (text: string, step: StepKind): string | undefined => {
  const label = `${stepTitles[step]}: `;
  return text
    .split('\n')
    .find((line) => line.startsWith(label))
    ?.slice(label.length);
};

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/** A page's main text, one line per block, for a terminal. */
const mainText = (html: string): string =>
  (/<main>(.*)<\/main>/s.exec(html)?.[1] ?? '')
    .replace(/<form.*<\/form>/gs, '')
    .replace(/<\/(h1|h2|p|div|li|dt)>/g, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity)
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');

export interface PageSeen {
  status: number;
  /** The page's heading. */
  title: string;
  text: string;
}

const seen = async (response: Response): Promise<PageSeen> => {
  const html = await response.text();
  return {
    status: response.status,
    title: mainText(`<main>${/<h1>.*?<\/h1>/s.exec(html)?.[0] ?? ''}</main>`),
    text: mainText(html),
  };
};

/**
 * What a worker does with a link, done over HTTP as their browser would: open the page, then submit its
 * form (urlencoded, from the page's own origin) with these fields and the link's token.
 */
export const recordFromLink = async (
  link: string,
  fields: Record<string, string | string[]>,
): Promise<{ opened: PageSeen; recorded: PageSeen }> => {
  const url = new URL(link);
  const opened = await seen(await fetch(url));
  const form = new URLSearchParams({ token: url.searchParams.get('token') ?? '' });
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
  }
  const recorded = await seen(
    await fetch(`${url.origin}${url.pathname}`, {
      method: 'POST',
      headers: { origin: url.origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    }),
  );
  return { opened, recorded };
};
