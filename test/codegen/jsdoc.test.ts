import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanDocumentProse, cleanProse, specLink } from '../../codegen/jsdoc.js';
import { PROJECT_ROOT } from '../../spec/resolve.js';
import { PINNED_SPEC } from '../../spec/pin.js';

describe('the JSDoc text taken from the spec', () => {
  it.each([
    ['a version added', '{{% added-in v="1.18" %}} The `M_INVITE_BLOCKED` error code', 'Added in v1.18. The `M_INVITE_BLOCKED` error code'],
    ['a version added, without the space', '{{% added-in v="1.18"%}} If the `eventType`', 'Added in v1.18. If the `eventType`'],
    ['a version changed', '{{% changed-in v="1.11" %}} This endpoint MAY return', 'Changed in v1.11. This endpoint MAY return'],
    ['a note box', 'Intro.\n\n{{% boxes/note %}}\nClients SHOULD NOT do this.\n{{% /boxes/note %}}\n\nMore.', 'Intro.\n\nNote: Clients SHOULD NOT do this.\n\nMore.'],
    ['a warning box', '{{% boxes/warning %}}\nCareful.\n{{% /boxes/warning %}}', 'Warning: Careful.'],
    ['a link relative to the spec site', 'See [server name](/appendices/#server-name).', 'See [server name](https://spec.matrix.org/latest/appendices/#server-name).'],
    ['prose without either', 'Plain [link](https://example.org) and `/path`.', 'Plain [link](https://example.org) and `/path`.'],
  ])('turns %s into plain words', (_name, given, want) => {
    expect(cleanProse(given)).toBe(want);
  });

  it('fails on a shortcode it has no words for, naming the file where they go', () => {
    expect(() => cleanProse('{{% boxes/rationale-extended %}}\nWhy.\n{{% /boxes/rationale-extended %}}'))
      .toThrow('(fix in codegen/jsdoc.ts)');
    expect(() => cleanProse('{{< spec-version >}}')).toThrow(/the shortcode \{\{< spec-version >\}\}.*\(fix in codegen\/jsdoc\.ts\)/);
  });

  it('cleans the prose of a document at any depth, and only its prose', () => {
    const doc = { description: '{{% added-in v="1.2" %}} x', properties: { description: { type: 'string', description: '[a](/b)' } }, enum: ['{{% added-in v="1" %}}'] };
    cleanDocumentProse(doc);
    expect(doc).toEqual({ description: 'Added in v1.2. x', properties: { description: { type: 'string', description: '[a](https://spec.matrix.org/latest/b)' } }, enum: ['{{% added-in v="1" %}}'] });
  });

  it('links an operation to its anchor at the stable address of the spec', () => {
    expect(specLink({ area: 'client-server', method: 'POST', path: '/_matrix/client/v3/rooms/{roomId}/ban' }))
      .toBe('https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidban');
    expect(specLink({ area: 'application-service', method: 'PUT', path: '/_matrix/app/v1/transactions/{txnId}' }))
      .toBe('https://spec.matrix.org/latest/application-service-api/#put_matrixappv1transactionstxnid');
  });

  it('leaves no shortcode in generated/, and names the spec version only in its README and SPEC_VERSION', () => {
    const dir = join(PROJECT_ROOT, 'generated');
    const withVersion: string[] = [];
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), 'utf8');
      expect(text, name).not.toMatch(/\{\{[%<]/);
      expect(text, name).not.toMatch(/spec\.matrix\.org\/v\d/);
      text.split('\n').forEach((line, index) => {
        if (line.includes(PINNED_SPEC.commit) || line.includes(`"${PINNED_SPEC.version}"`) || line.includes(` ${PINNED_SPEC.version},`)) withVersion.push(`${name}:${index + 1}`);
      });
    }
    expect(withVersion).toEqual(['README.md:6', 'routes.ts:5']);
  });
});
