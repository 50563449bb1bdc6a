import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/index.js';

const CASES: [string, { given: string; want: string }][] = [
  ['inline tags are dropped, their text kept', { given: 'Hello <b>bold</b> and <i>italic</i>', want: 'Hello bold and italic' }],
  ['entities are decoded, named and numeric', { given: '&lt;tag&gt; &amp; &quot;q&quot; &#39;a&#39; &#x1F600; &#8364;', want: '<tag> & "q" \'a\' 😀 €' }],
  ['an unknown named entity stays as written', { given: 'a &bogus; b', want: 'a &bogus; b' }],
  ['runs of white space collapse to one space, as a browser shows them', { given: '  a \n\t b   c ', want: 'a b c' }],
  ['<br> breaks the line', { given: 'one<br>two<br/>three', want: 'one\ntwo\nthree' }],
  ['paragraphs are separated by a blank line', { given: '<p>first</p><p>second</p>', want: 'first\n\nsecond' }],
  ['headings stand on their own lines', { given: '<h1>Title</h1>text', want: 'Title\n\ntext' }],
  ['an unordered list becomes - lines', { given: '<ul><li>one</li><li>two</li></ul>', want: '- one\n- two' }],
  ['an ordered list is numbered from its start', { given: '<ol start="3"><li>c</li><li>d</li></ol>', want: '3. c\n4. d' }],
  ['a nested list is indented', { given: '<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>', want: '- a\n  - b\n- c' }],
  ['a block quote becomes > lines', { given: '<blockquote><p>quoted</p><p>more</p></blockquote><p>answer</p>', want: '> quoted\n>\n> more\n\nanswer' }],
  ['pre keeps its white space', { given: '<pre><code>if (a) {\n  b();\n}</code></pre>', want: 'if (a) {\n  b();\n}' }],
  ['a link shows its address when it differs from its text', { given: 'see <a href="https://example.org/docs">the docs</a>', want: 'see the docs (https://example.org/docs)' }],
  ['a link whose text is its address shows once', { given: '<a href="https://example.org">https://example.org</a>', want: 'https://example.org' }],
  ['a Matrix permalink (a mention pill) shows its text only', { given: 'hi <a href="https://matrix.to/#/@alice:example.org">Alice</a>', want: 'hi Alice' }],
  ['a javascript: link shows its text only', { given: '<a href="javascript:alert(1)">click</a>', want: 'click' }],
  ['an image shows its alt text', { given: 'nice <img src="mxc://example.org/abc" alt=":party:"> work', want: 'nice :party: work' }],
  ['the legacy reply fallback is left out', { given: '<mx-reply><blockquote>old <b>text</b></blockquote></mx-reply>the answer', want: 'the answer' }],
  ['scripts and styles are left out', { given: '<style>p { color: red }</style><script>alert("x")</script>shown', want: 'shown' }],
  ['comments are left out', { given: 'a<!-- hidden <b>x</b> -->b', want: 'ab' }],
  ['a > inside a quoted attribute does not end the tag', { given: '<a href="https://example.org/?a>b" title=\'x>y\'>link</a>', want: 'link (https://example.org/?a>b)' }],
  ['a horizontal rule becomes ---', { given: 'above<hr>below', want: 'above\n---\nbelow' }],
  ['table cells are separated and rows are lines', { given: '<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>', want: 'a b\nc d' }],
  ['a tag that never ends takes the rest with it, as in a browser', { given: 'kept <b title="open>dropped', want: 'kept' }],
  ['a < that starts no tag is text', { given: 'a <3 b << c', want: 'a <3 b << c' }],
  ['text that is not HTML passes through', { given: 'plain text, 3 < 4', want: 'plain text, 3 < 4' }],
  ['a non-breaking space becomes a space', { given: 'a&nbsp;b', want: 'a b' }],
];

describe('htmlToText', () => {
  it.each(CASES)('%s', (_name, { given, want }) => {
    expect(htmlToText(given)).toBe(want);
  });
});
