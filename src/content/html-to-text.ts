/**
 * The plain-text `body` of an HTML message: what clients without HTML show, what
 * notifications and search read. Pure string work (no DOM), so it runs anywhere.
 */

/** A piece of HTML: text, or a tag with its lower-cased name and its attribute text. */
type Token = { text: string } | { name: string; closing: boolean; attributes: string };

const TAG_NAME = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/y;

/**
 * Splits HTML into text and tags in one pass. A tag runs to its `>` outside quotes;
 * a tag that never ends takes the rest of the input with it, as in a browser. A `<`
 * that starts no tag is text. Comments are dropped.
 */
function* tokens(html: string): Generator<Token> {
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    if (lt < 0) break;
    if (lt > at) yield { text: html.slice(at, lt) };
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      at = end < 0 ? html.length : end + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const match = TAG_NAME.exec(html);
    if (match === null) {
      yield { text: '<' };
      at = lt + 1;
      continue;
    }
    let end = TAG_NAME.lastIndex;
    let quote = '';
    for (; end < html.length; end++) {
      const c = html[end];
      if (quote !== '') {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '>') {
        break;
      }
    }
    if (end >= html.length) return;
    yield { name: match[2]!.toLowerCase(), closing: match[1] === '/', attributes: html.slice(TAG_NAME.lastIndex, end) };
    at = end + 1;
  }
  if (at < html.length) yield { text: html.slice(at) };
}

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

/**
 * One open container the text is written into (the whole message, or a block
 * quote), kept as pieces: appending and looking at the end cost the same however
 * long the text already is.
 */
class Block {
  readonly #parts: string[] = [];

  get empty(): boolean {
    return this.#parts.length === 0;
  }

  /** How many pieces there are: a position to read from with {@link since}. */
  get mark(): number {
    return this.#parts.length;
  }

  add(text: string): void {
    if (text !== '') this.#parts.push(text);
  }

  /** The last `n` characters (fewer when the text is shorter). */
  tail(n: number): string {
    let tail = '';
    for (let i = this.#parts.length - 1; i >= 0 && tail.length < n; i--) tail = this.#parts[i]! + tail;
    return tail.slice(-n);
  }

  /** Removes the spaces at the end. */
  trimEnd(): void {
    while (this.#parts.length > 0) {
      const last = this.#parts[this.#parts.length - 1]!;
      let end = last.length;
      while (end > 0 && last[end - 1] === ' ') end--;
      if (end > 0) {
        this.#parts[this.#parts.length - 1] = last.slice(0, end);
        return;
      }
      this.#parts.pop();
    }
  }

  /** The text written since `mark`. */
  since(mark: number): string {
    return this.#parts.slice(mark).join('');
  }

  toString(): string {
    return this.#parts.join('');
  }
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
  const blocks: Block[] = [new Block()];
  const lists: { ordered: boolean; next: number }[] = [];
  const links: { href: string | undefined; start: number }[] = [];
  let hidden: string | undefined;
  let hiddenDepth = 0;
  let pre = 0;

  const top = (): Block => blocks[blocks.length - 1]!;
  const write = (text: string): void => {
    const block = top();
    if (pre > 0) {
      block.add(text);
      return;
    }
    let collapsed = text.replace(/[ \t\r\n\f]+/g, ' ');
    if (collapsed.startsWith(' ') && (block.empty || block.tail(1) === ' ' || block.tail(1) === '\n')) collapsed = collapsed.slice(1);
    block.add(collapsed);
  };
  const breakLine = (blank: boolean): void => {
    const block = top();
    block.trimEnd();
    if (block.empty) return;
    const want = blank ? '\n\n' : '\n';
    const tail = block.tail(2);
    if (!tail.endsWith(want)) block.add(tail.endsWith('\n') ? '\n'.repeat(want.length - 1) : want);
  };

  for (const token of tokens(html)) {
    if ('text' in token) {
      if (hidden === undefined) write(decodeEntities(token.text));
      continue;
    }
    const { name, closing, attributes } = token;
    if (hidden !== undefined) {
      if (name === hidden) hiddenDepth += closing ? -1 : 1;
      if (hiddenDepth === 0) hidden = undefined;
      continue;
    }
    if (HIDDEN.has(name) && !closing) {
      if (!/\/\s*$/.test(attributes)) {
        hidden = name;
        hiddenDepth = 1;
      }
      continue;
    }
    if (name === 'br') {
      top().trimEnd();
      top().add('\n');
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
        blocks.push(new Block());
      } else if (blocks.length > 1) {
        const quoted = blocks.pop()!.toString().trim();
        if (quoted !== '') {
          breakLine(true);
          top().add(quoted.split('\n').map((line) => (line === '' ? '>' : `> ${line}`)).join('\n'));
        }
        breakLine(true);
      }
    } else if (name === 'li') {
      if (!closing) {
        breakLine(false);
        const list = lists[lists.length - 1];
        const indent = '  '.repeat(Math.max(0, lists.length - 1));
        top().add(list?.ordered ? `${indent}${list.next++}. ` : `${indent}- `);
      } else {
        breakLine(false);
      }
    } else if (name === 'ul' || name === 'ol') {
      if (closing) lists.pop();
      else lists.push({ ordered: name === 'ol', next: Number.parseInt(attribute(attributes, 'start') ?? '1', 10) || 1 });
      // A nested list goes on the next line; the outermost one is a paragraph of its own.
      breakLine(lists.length === 0 || (!closing && lists.length === 1));
    } else if (name === 'a') {
      if (!closing) links.push({ href: attribute(attributes, 'href'), start: top().mark });
      else {
        const link = links.pop();
        const shown = link === undefined ? '' : top().since(link.start).trim();
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
  while (blocks.length > 1) {
    const quoted = blocks.pop()!.toString().trim();
    if (quoted !== '') top().add(quoted.split('\n').map((line) => `> ${line}`).join('\n'));
  }
  return top()
    .toString()
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '')
    .replace(/\u00a0/g, ' ');
}
