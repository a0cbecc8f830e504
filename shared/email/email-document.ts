import type { OutgoingEmail } from '../ports';

/** A line of an email: plain words, or words that link somewhere (a form, the protocol). */
export type EmailLine = string | { text: string; href: string };

export interface EmailSection {
  title: string;
  lines: EmailLine[];
  /** Shown as a bulleted list (several things to do) rather than as lines. */
  bulleted?: boolean;
}

/** What is due, by when and how long is left: the first thing a busy worker reads. */
export interface EmailBanner {
  text: string;
  overdue: boolean;
}

/** A button: the link that records a step the email asks for. */
export interface EmailButton {
  text: string;
  href: string;
}

/** A line of the episode's timeline: when, and what happened then. */
export interface TimelineEntry {
  at: string;
  what: string;
}

/**
 * What an email says, once: rendered both as plain text and as HTML from the same words. Read in five
 * seconds from the top: the deadline banner, the headline, the button, a compact timeline, then the details.
 */
export interface EmailDocument {
  subject: string;
  banner?: EmailBanner;
  headline: string;
  buttons?: EmailButton[];
  /** The episode so far, oldest first, times already in the council's zone. */
  timeline?: TimelineEntry[];
  sections: EmailSection[];
  footer: string;
}

export type RenderedEmail = Pick<OutgoingEmail, 'subject' | 'text' | 'html'>;

const htmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Everything from a sender or a council file is text, never markup. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => htmlEntities[c] ?? c);

const lineText = (line: EmailLine): string =>
  typeof line === 'string' ? line : `${line.text}: ${line.href}`;

/** The house style, inline on each element: most mail clients drop a <style> block or ignore its classes. */
const fontFamily = 'font-family:Arial,Helvetica,sans-serif';
const font = `${fontFamily};color:#0b0c0c`;
const cell = (style: string, inner: string) => `<tr><td style="${style}">${inner}</td></tr>`;
/** A table for layout only: screen readers skip it, and no client adds spacing or borders of its own. */
const layout = 'role="presentation" cellpadding="0" cellspacing="0" border="0"';

const lineHtml = (line: EmailLine): string =>
  typeof line === 'string'
    ? escapeHtml(line)
    : `<a href="${escapeHtml(line.href)}">${escapeHtml(line.text)}</a>`;

/** A section with nothing this recipient may read is left out. */
const shown = (doc: EmailDocument) => doc.sections.filter((s) => s.lines.length > 0);

const toText = (doc: EmailDocument): string =>
  [
    ...(doc.banner ? [doc.banner.text] : []),
    doc.headline,
    ...(doc.buttons ?? []).map((b) => `${b.text}: ${b.href}`),
    ...(doc.timeline && doc.timeline.length > 0
      ? [['Timeline', ...doc.timeline.map((t) => `- ${t.at}: ${t.what}`)].join('\n')]
      : []),
    ...shown(doc).map((s) =>
      [s.title, ...s.lines.map((l) => (s.bulleted ? `- ${lineText(l)}` : lineText(l)))].join('\n'),
    ),
    doc.footer,
  ].join('\n\n');

const heading = (text: string) =>
  `<h2 style="margin:20px 0 6px;font-size:17px;line-height:1.3;${font}">${escapeHtml(text)}</h2>`;

const sectionHtml = (s: EmailSection): string => {
  const body = s.bulleted
    ? `<ul style="margin:0;padding:0 0 0 20px">${s.lines.map((l) => `<li style="margin:0 0 6px">${lineHtml(l)}</li>`).join('')}</ul>`
    : `<p style="margin:0">${s.lines.map(lineHtml).join('<br>')}</p>`;
  return cell('padding:0 24px', `${heading(s.title)}${body}`);
};

const bannerHtml = (banner: EmailBanner): string =>
  cell(
    `padding:14px 24px;font-size:18px;line-height:1.35;font-weight:bold;${
      banner.overdue ? 'background:#b0240e;color:#ffffff' : 'background:#ffdd00;color:#0b0c0c'
    }`,
    escapeHtml(banner.text),
  );

/** A "bulletproof" button: a table cell with the colour, so it shows even where a client strips padding on links. */
const buttonHtml = (button: EmailButton): string =>
  cell(
    'padding:4px 24px 8px',
    `<table ${layout}><tr><td bgcolor="#00703c" style="background:#00703c;border-bottom:3px solid #002d18"><a href="${escapeHtml(
      button.href,
    )}" style="display:inline-block;padding:12px 22px;font-size:17px;font-weight:bold;color:#ffffff;text-decoration:none;${fontFamily}">${escapeHtml(
      button.text,
    )}</a></td></tr></table>`,
  );

const timelineHtml = (timeline: TimelineEntry[]): string =>
  cell(
    'padding:0 24px',
    `${heading('Timeline')}<p style="margin:0;font-size:14px">${timeline
      .map((t) => `<span style="color:#505a5f">${escapeHtml(t.at)}</span>&nbsp; ${escapeHtml(t.what)}`)
      .join('<br>')}</p>`,
  );

/**
 * HTML for the common mail clients (Outlook's Word engine included): nested tables for layout, every style
 * inline, no images, no web fonts, no scripts; 640 px at most, and as wide as the screen below that.
 */
const toHtml = (doc: EmailDocument): string =>
  [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f3f2f1;${font}">`,
    `<table ${layout} width="100%" style="background:#f3f2f1"><tr><td align="center" style="padding:16px 8px">`,
    `<table ${layout} width="100%" style="max-width:640px;background:#ffffff;font-size:15px;line-height:1.45;${font}">`,
    ...(doc.banner ? [bannerHtml(doc.banner)] : []),
    cell(
      'padding:18px 24px 10px',
      `<h1 style="margin:0;font-size:21px;line-height:1.25;${font}">${escapeHtml(doc.headline)}</h1>`,
    ),
    ...(doc.buttons ?? []).map(buttonHtml),
    ...(doc.timeline && doc.timeline.length > 0 ? [timelineHtml(doc.timeline)] : []),
    ...shown(doc).map(sectionHtml),
    cell(
      'padding:20px 24px 24px',
      `<p style="margin:0;font-size:12px;line-height:1.4;color:#505a5f">${escapeHtml(doc.footer)}</p>`,
    ),
    '</table></td></tr></table></body></html>',
  ].join('');

export const renderEmail = (doc: EmailDocument): RenderedEmail => ({
  subject: doc.subject,
  text: toText(doc),
  html: toHtml(doc),
});
