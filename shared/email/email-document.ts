import type { OutgoingEmail } from '../ports';

/** A line of an email: plain words, or words that link somewhere (a form, the protocol). */
export type EmailLine = string | { text: string; href: string };

export interface EmailSection {
  title: string;
  lines: EmailLine[];
  /** Shown as a bulleted list (several things to do) rather than as lines. */
  bulleted?: boolean;
}

/** What an email says, once: rendered both as plain text and as HTML from the same words. */
export interface EmailDocument {
  subject: string;
  headline: string;
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

const lineHtml = (line: EmailLine): string =>
  typeof line === 'string'
    ? escapeHtml(line)
    : `<a href="${escapeHtml(line.href)}">${escapeHtml(line.text)}</a>`;

/** A section with nothing this recipient may read is left out. */
const shown = (doc: EmailDocument) => doc.sections.filter((s) => s.lines.length > 0);

const toText = (doc: EmailDocument): string =>
  [
    doc.headline,
    ...shown(doc).map((s) =>
      [s.title, ...s.lines.map((l) => (s.bulleted ? `- ${lineText(l)}` : lineText(l)))].join('\n'),
    ),
    doc.footer,
  ].join('\n\n');

const sectionHtml = (s: EmailSection): string => {
  const body = s.bulleted
    ? `<ul>${s.lines.map((l) => `<li>${lineHtml(l)}</li>`).join('')}</ul>`
    : `<p>${s.lines.map(lineHtml).join('<br>')}</p>`;
  return `<h2 style="font-size:16px;margin:16px 0 4px">${escapeHtml(s.title)}</h2>${body}`;
};

const toHtml = (doc: EmailDocument): string =>
  [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(doc.subject)}</title></head>`,
    '<body style="font-family:Arial,sans-serif;font-size:14px;line-height:1.4">',
    `<h1 style="font-size:18px">${escapeHtml(doc.headline)}</h1>`,
    ...shown(doc).map(sectionHtml),
    `<p style="color:#555;font-size:12px">${escapeHtml(doc.footer)}</p>`,
    '</body></html>',
  ].join('');

export const renderEmail = (doc: EmailDocument): RenderedEmail => ({
  subject: doc.subject,
  text: toText(doc),
  html: toHtml(doc),
});
