/**
 * The Markdown API reference (scripts/schema-doc.ts → schema.md): every type and root field has its
 * anchor, every in-page link lands on one, descriptions and deprecations are carried, and text that
 * Markdown would swallow (`<name>`, `|`) is escaped. That schema.md matches the schema is
 * `npm run schema:check`'s job.
 */
import 'reflect-metadata';
import { buildSchema as buildSdl } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schemaMarkdown } from '../../scripts/schema-doc.js';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

const anchors = (md: string) => new Set([...md.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
const links = (md: string) => [...md.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
const headings = (md: string) => new Set([...md.matchAll(/^## (\w+)$/gm)].map((m) => m[1].toLowerCase()));

describe('schema Markdown reference', () => {
  it('has an anchor for every type and root field, and every in-page link resolves', async () => {
    const schema = await buildGatewaySchema();
    const md = schemaMarkdown(schema);
    const ids = anchors(md);
    for (const t of Object.values(schema.getTypeMap())) {
      if (t.name.startsWith('__') || ['Query', 'Mutation', 'Subscription'].includes(t.name)) continue;
      expect(ids, t.name).toContain(`type-${t.name.toLowerCase()}`);
    }
    for (const [kind, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const) {
      for (const f of Object.keys(root!.getFields())) expect(ids, `${kind} ${f}`).toContain(`${kind}-${f.toLowerCase()}`);
    }
    const sections = headings(md);
    const dangling = links(md).filter((l) => !ids.has(l) && !sections.has(l));
    expect(dangling).toEqual([]);
    expect(md).toContain(schema.getMutationType()!.getFields().deployApp.description!.slice(0, 60));
  });

  it('groups types, shows arguments, defaults and deprecations, and escapes Markdown', () => {
    const md = schemaMarkdown(
      buildSdl(`
        """Reads"""
        type Query {
          """Items named tenant-<name> | more"""
          items(
            """Page size"""
            first: Int = 20
            old: String @deprecated(reason: "Use first")
          ): [Item!]!
        }
        """An item"""
        type Item { """Its name""" name: String! @deprecated(reason: "Gone") }
        """A colour"""
        enum Colour { """Red""" RED  """Blue""" BLUE @deprecated(reason: "Never blue") }
        """Filter"""
        input Filter { """Colour""" colour: Colour = RED }
      `),
    );
    expect(md.indexOf('## Queries')).toBeLessThan(md.indexOf('## Objects'));
    expect(md.indexOf('## Objects')).toBeLessThan(md.indexOf('## Inputs'));
    expect(md.indexOf('## Inputs')).toBeLessThan(md.indexOf('## Enums'));
    expect(md.indexOf('## Enums')).toBeLessThan(md.indexOf('## Scalars'));
    expect(md).toContain('Items named tenant-&lt;name&gt; | more');
    expect(md).toContain('Returns \\[[Item](#type-item)!\\]!');
    expect(md).toContain('| `first` | [Int](#type-int) | `20` | Page size |');
    expect(md).toContain('| `old` | [String](#type-string) |  |  **Deprecated:** Use first. |');
    expect(md).toContain('| `name` | [String](#type-string)! | Its name **Deprecated:** Gone. |');
    expect(md).toContain('| `BLUE` | Blue **Deprecated:** Never blue. |');
    expect(md).toContain('| `colour` | [Colour](#type-colour) | `RED` | Colour |');
  });
});
