/**
 * The plain-text `body` of an HTML message: what clients without HTML show, what
 * notifications and search read. Pure string work (no DOM), so it runs anywhere.
 */

const TOKEN = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
/** Elements whose content is not text to show: the legacy reply fallback among them. */
const HIDDEN = new Set(['mx-reply', 'script', 'style', 'head', 'title']);
/** Elements that stand on lines of their own, separated by a blank line. */
const PARAGRAPHS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'ul', 'ol', 'table', 'details']);
/** Elements that start and end a line. */
const LINES = new Set(['div', 'tr', 'summary', 'dt', 'dd', 'caption', 'figure', 'figcaption', 'section', 'article', 'header', 'footer']);
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references of HTML text (the named ones Matrix HTML uses, and every numeric one). */
function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
    }
    return Object.hasOwn(NAMED, ref.toLowerCase()) ? NAMED[ref.toLowerCase()]! : whole;
  });
}

/** An attribute's decoded value, from a tag's attribute text. */
function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(attributes);
  if (match === null) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '');
}

/** One open container the text is written into (the whole message, or a blockquote). */
interface Block {
  text: string;
  tag: string;
}

/**
 * Derives a plain-text body from HTML: tags dropped, entities decoded, spaces
 * collapsed as a browser would (kept inside `<pre>`), paragraphs and `<br>` as
 * line breaks, list items as `- ` or `1. ` lines, block quotes as `> ` lines,
 * links as their text (with the address in brackets when it differs from the text
 * and is not a Matrix permalink), images as their `alt`. The legacy reply fallback
 * (`<mx-reply>`) and scripts or styles are left out.
 *
 * @example
 * ```ts
 * htmlToText('<p>Hello <b>world</b></p><ul><li>one</li><li>two</li></ul>'); // 'Hello world\n\n- one\n- two'
 * htmlToText('See <a href="https://example.org">the docs</a> &amp; more'); // 'See the docs (https://example.org) & more'
 * ```
 */
export function htmlToText(html: string): string {
  const blocks: Block[] = [{ text: '', tag: '' }];
  const lists: { ordered: boolean; next: number }[] = [];
  const links: { href: string | undefined; start: number }[] = [];
  let hidden: string | undefined;
  let hiddenDepth = 0;
  let pre = 0;

  const top = (): Block => blocks[blocks.length - 1]!;
  const write = (text: string): void => {
    const block = top();
    if (pre > 0) {
      block.text += text;
      return;
    }
    let collapsed = text.replace(/[ \t\r\n\f]+/g, ' ');
    if (collapsed.startsWith(' ') && (block.text === '' || /[ \n]$/.test(block.text))) collapsed = collapsed.slice(1);
    block.text += collapsed;
  };
  const breakLine = (blank: boolean): void => {
    const block = top();
    block.text = block.text.replace(/ +$/, '');
    if (block.text === '') return;
    const want = blank ? '\n\n' : '\n';
    if (!block.text.endsWith(want)) block.text += block.text.endsWith('\n') ? '\n'.repeat(want.length - 1) : want;
  };

  let at = 0;
  for (const match of html.matchAll(TOKEN)) {
    if (hidden === undefined && match.index > at) write(decodeEntities(html.slice(at, match.index)));
    at = match.index + match[0].length;
    const name = match[2]?.toLowerCase();
    if (name === undefined) continue; // a comment
    const closing = match[1] === '/';
    if (hidden !== undefined) {
      if (name === hidden) hiddenDepth += closing ? -1 : 1;
      if (hiddenDepth === 0) hidden = undefined;
      continue;
    }
    if (HIDDEN.has(name) && !closing) {
      if (!/\/\s*$/.test(match[3] ?? '')) {
        hidden = name;
        hiddenDepth = 1;
      }
      continue;
    }
    const attributes = match[3] ?? '';
    if (name === 'br') {
      top().text = top().text.replace(/ +$/, '') + '\n';
    } else if (name === 'hr') {
      breakLine(false);
      write('---');
      breakLine(false);
    } else if (name === 'img') {
      const alt = attribute(attributes, 'alt');
      if (alt !== undefined) write(alt);
    } else if (name === 'blockquote') {
      if (!closing) {
        breakLine(true);
        blocks.push({ text: '', tag: 'blockquote' });
      } else if (blocks.length > 1) {
        const quoted = blocks.pop()!.text.trim();
        if (quoted !== '') {
          breakLine(true);
          top().text += quoted.split('\n').map((line) => (line === '' ? '>' : `> ${line}`)).join('\n');
        }
        breakLine(true);
      }
    } else if (name === 'li') {
      if (!closing) {
        breakLine(false);
        const list = lists[lists.length - 1];
        const indent = '  '.repeat(Math.max(0, lists.length - 1));
        top().text += list?.ordered ? `${indent}${list.next++}. ` : `${indent}- `;
      } else {
        breakLine(false);
      }
    } else if (name === 'ul' || name === 'ol') {
      if (closing) lists.pop();
      else lists.push({ ordered: name === 'ol', next: Number.parseInt(attribute(attributes, 'start') ?? '1', 10) || 1 });
      // A nested list goes on the next line; the outermost one is a paragraph of its own.
      breakLine(lists.length === 0 || (!closing && lists.length === 1));
    } else if (name === 'a') {
      if (!closing) links.push({ href: attribute(attributes, 'href'), start: top().text.length });
      else {
        const link = links.pop();
        const shown = link === undefined ? '' : top().text.slice(link.start).trim();
        const href = link?.href;
        if (href !== undefined && /^(https?|mailto):/i.test(href) && !/^https:\/\/matrix\.to\//i.test(href) && shown !== href && `mailto:${shown}` !== href) {
          write(shown === '' ? href : ` (${href})`);
        }
      }
    } else if (PARAGRAPHS.has(name)) {
      if (name === 'pre') pre += closing ? -1 : 1;
      pre = Math.max(0, pre);
      breakLine(true);
    } else if (LINES.has(name)) {
      breakLine(false);
    } else if ((name === 'td' || name === 'th') && closing) {
      write(' ');
    }
  }
  if (hidden === undefined && at < html.length) write(decodeEntities(html.slice(at)));
  while (blocks.length > 1) {
    const quoted = blocks.pop()!.text.trim();
    if (quoted !== '') top().text += quoted.split('\n').map((line) => `> ${line}`).join('\n');
  }
  return top()
    .text.split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '')
    .replace(/\u00a0/g, ' ');
}
