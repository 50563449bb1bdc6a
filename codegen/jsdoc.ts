/**
 * Turns the spec's prose into plain JSDoc text: the Hugo shortcodes of the
 * spec site become words, links relative to the spec site become absolute, and
 * links to the spec point at a URL that does not change with the pinned version.
 */
import { CodegenError } from './errors.js';

/** The spec site at its stable address: the latest release, whatever version is pinned. */
export const SPEC_SITE = 'https://spec.matrix.org/latest';

/** The words a box shortcode (`{{% boxes/note %}}`) opens with. */
const BOXES: Readonly<Record<string, string>> = {
  note: 'Note:',
  warning: 'Warning:',
  rationale: 'Rationale:',
};

/** Shortcodes with a version (`{{% added-in v="1.18" %}}`) and their sentence. */
const VERSIONED: Readonly<Record<string, string>> = {
  'added-in': 'Added in',
  'changed-in': 'Changed in',
};

/**
 * The prose with every Hugo shortcode of the spec site replaced by plain words,
 * and site-relative links (`](/client-server-api/#…)`) made absolute. Fails on
 * a shortcode it does not know, naming this file.
 *
 * @example
 * cleanProse('{{% added-in v="1.18" %}} The `M_INVITE_BLOCKED` error code');
 * // 'Added in v1.18. The `M_INVITE_BLOCKED` error code'
 */
export function cleanProse(text: string): string {
  if (!text.includes('{{') && !text.includes('](/')) return text;
  const out = text
    // A box opens: its words start the box's first line; it closes: nothing.
    .replace(/\{\{%\s*boxes\/([a-z-]+)\s*%\}\}[ \t]*\n?[ \t]*/g, (whole, box: string) => {
      const words = BOXES[box];
      if (words === undefined) throw unknown(whole);
      return `${words} `;
    })
    .replace(/[ \t]*\n?[ \t]*\{\{%\s*\/boxes\/([a-z-]+)\s*%\}\}[ \t]*/g, (whole, box: string) => {
      if (BOXES[box] === undefined) throw unknown(whole);
      return '';
    })
    .replace(/\{\{%\s*([a-z-]+)\s+v="([^"]+)"\s*%\}\}/g, (whole, name: string, version: string) => {
      const words = VERSIONED[name];
      if (words === undefined) throw unknown(whole);
      return `${words} v${version.replace(/^v/, '')}.`;
    })
    .replace(/\]\(\/(?!\/)/g, `](${SPEC_SITE}/`);
  const left = /\{\{[%<].*?[%>]\}\}/s.exec(out);
  if (left) throw unknown(left[0]);
  return out;
}

function unknown(shortcode: string): CodegenError {
  return new CodegenError(`the spec's prose holds the shortcode ${shortcode}, which has no plain words yet`, 'codegen/jsdoc.ts');
}

/** The keys whose string values are prose. */
const PROSE_KEYS = new Set(['description', 'summary', 'title']);

/**
 * Cleans, in place, every prose string (`description`, `summary`, `title`) of a
 * document read from the spec, at any depth.
 *
 * @example
 * cleanDocumentProse(doc); // every description of doc in plain words
 */
export function cleanDocumentProse(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) cleanDocumentProse(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') {
      if (PROSE_KEYS.has(key)) record[key] = cleanProse(value);
    } else {
      cleanDocumentProse(value);
    }
  }
}

/**
 * The link to a route's section of the spec, at the spec's stable address (the
 * anchors are the same in every version).
 *
 * @example
 * specLink({ area: 'client-server', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/ban' });
 * // 'https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidban'
 */
export function specLink(entry: { readonly area: 'client-server' | 'application-service'; readonly method: string; readonly path: string }): string {
  const page = entry.area === 'application-service' ? 'application-service-api' : 'client-server-api';
  const anchor = `${entry.method.toLowerCase()}${entry.path.toLowerCase().replace(/[^a-z0-9_-]/g, '')}`;
  return `${SPEC_SITE}/${page}/#${anchor}`;
}
