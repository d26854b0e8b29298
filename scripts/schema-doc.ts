/**
 * Renders the schema as a Markdown API reference (schema.md, beside schema.graphql). Written by
 * `npm run schema:emit` and drift-checked by `npm run schema:check` (scripts/schema.ts), so the
 * reference never disagrees with the schema. Run alone, it prints the Markdown.
 *
 * Every named thing gets an explicit lowercase anchor (`type-tenant`, `query-tenant`, …): GitHub's
 * heading slugs would collide between a type and a root field of the same name.
 */
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  lexicographicSortSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { astFromValue, print } from 'graphql';

const anchor = (kind: string, name: string) => `${kind}-${name.toLowerCase()}`;
const typeAnchor = (name: string) => anchor('type', name);

/** Markdown-safe prose: `<`, `>` and `|` escaped outside code spans, newlines kept as line breaks. */
function prose(text: string | null | undefined, inTable = false): string {
  if (!text) return '';
  const out = text
    .split(/(`+[^`]*`+)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
  return inTable ? out.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>') : out;
}

/** A type reference with the named type linked, e.g. \[[Tag](#type-tag)!\]! */
function typeRef(t: GraphQLType): string {
  if (isNonNullType(t)) return `${typeRef(t.ofType)}!`;
  if (isListType(t)) return `\\[${typeRef(t.ofType)}\\]`;
  return `[${t.name}](#${typeAnchor(t.name)})`;
}

function defaultOf(arg: { type: GraphQLType; defaultValue: unknown }): string {
  if (arg.defaultValue === undefined) return '';
  const ast = astFromValue(arg.defaultValue, arg.type as Parameters<typeof astFromValue>[1]);
  return ast ? `\`${print(ast)}\`` : '';
}

function deprecation(reason: string | null | undefined): string {
  return reason == null ? '' : ` **Deprecated:** ${prose(reason, true) || 'no longer supported'}.`;
}

function argsTable(args: readonly GraphQLArgument[]): string[] {
  if (args.length === 0) return [];
  return [
    '| Argument | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...args.map((a) => `| \`${a.name}\` | ${typeRef(a.type)} | ${defaultOf(a)} | ${prose(a.description, true)}${deprecation(a.deprecationReason)} |`),
    '',
  ];
}

/** A root field (query, mutation, subscription): heading, description, result type, arguments. */
function rootField(kind: string, f: GraphQLField<unknown, unknown>): string[] {
  return [
    `### <a id="${anchor(kind, f.name)}"></a>\`${f.name}\``,
    '',
    ...(f.description ? [prose(f.description), ''] : []),
    ...(f.deprecationReason != null ? [deprecation(f.deprecationReason).trim(), ''] : []),
    `Returns ${typeRef(f.type)}`,
    '',
    ...argsTable(f.args),
  ];
}

/** Fields of an object or interface; arguments are listed under the field's description. */
function fieldsTable(fields: GraphQLField<unknown, unknown>[]): string[] {
  return [
    '| Field | Type | Description |',
    '| --- | --- | --- |',
    ...fields.map((f) => {
      const args = f.args.map((a) => {
        const dflt = defaultOf(a);
        return `<br>• \`${a.name}\`: ${typeRef(a.type)}${dflt ? ` = ${dflt}` : ''}${a.description ? ` — ${prose(a.description, true)}` : ''}${deprecation(a.deprecationReason)}`;
      });
      const argBlock = args.length ? `<br>Arguments:${args.join('')}` : '';
      return `| \`${f.name}\` | ${typeRef(f.type)} | ${prose(f.description, true)}${deprecation(f.deprecationReason)}${argBlock} |`;
    }),
    '',
  ];
}

function typeHeading(t: GraphQLNamedType): string[] {
  return [`### <a id="${typeAnchor(t.name)}"></a>${t.name}`, '', ...(t.description ? [prose(t.description), ''] : [])];
}

function namedType(t: GraphQLNamedType): string[] {
  const out = typeHeading(t);
  if (isObjectType(t) || isInterfaceType(t)) {
    const ifaces = t.getInterfaces();
    if (ifaces.length) out.push(`Implements ${ifaces.map((i) => typeRef(i)).join(', ')}`, '');
    out.push(...fieldsTable(Object.values(t.getFields())));
  } else if (isUnionType(t)) {
    out.push(`One of ${t.getTypes().map((m) => typeRef(m)).join(', ')}`, '');
  } else if (isInputObjectType(t)) {
    out.push(
      '| Field | Type | Default | Description |',
      '| --- | --- | --- | --- |',
      ...Object.values(t.getFields()).map((f) => `| \`${f.name}\` | ${typeRef(f.type)} | ${defaultOf(f)} | ${prose(f.description, true)}${deprecation(f.deprecationReason)} |`),
      '',
    );
  } else if (isEnumType(t)) {
    out.push(
      '| Value | Description |',
      '| --- | --- |',
      ...t.getValues().map((v) => `| \`${v.name}\` | ${prose(v.description, true)}${deprecation(v.deprecationReason)} |`),
      '',
    );
  } else if (isScalarType(t) && t.specifiedByURL) {
    out.push(`Specified by <${t.specifiedByURL}>`, '');
  }
  return out;
}

export function schemaMarkdown(unsorted: GraphQLSchema): string {
  const schema = lexicographicSortSchema(unsorted);
  const roots = [
    ['Queries', 'query', schema.getQueryType()],
    ['Mutations', 'mutation', schema.getMutationType()],
    ['Subscriptions', 'subscription', schema.getSubscriptionType()],
  ] as const;
  const rootNames = new Set(roots.map(([, , t]) => t?.name).filter(Boolean));
  const named = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__') && !rootNames.has(t.name));
  const groups = [
    ['Objects', named.filter(isObjectType)],
    ['Interfaces', named.filter(isInterfaceType)],
    ['Unions', named.filter(isUnionType)],
    ['Inputs', named.filter(isInputObjectType)],
    ['Enums', named.filter(isEnumType)],
    ['Scalars', named.filter(isScalarType)],
  ] as const;

  const sections = [...roots.filter(([, , t]) => t).map(([title]) => title), ...groups.filter(([, ts]) => ts.length).map(([title]) => title)];
  const out: string[] = [
    '# GraphQL API reference',
    '',
    '<!-- Generated from the schema by `npm run schema:emit` (scripts/schema-doc.ts); edit the descriptions in the code, not this file. -->',
    '',
    'Every query, mutation, subscription and type of the gateway, with the descriptions the schema carries (the same text GraphiQL shows in its documentation pane at `/graphql`). The schema itself is in [schema.graphql](schema.graphql).',
    '',
    ...sections.map((s) => `- [${s}](#${s.toLowerCase()})`),
    '',
  ];
  for (const [title, kind, type] of roots) {
    if (!type) continue;
    out.push(`## ${title}`, '', ...(type.description ? [prose(type.description), ''] : []));
    for (const f of Object.values(type.getFields())) out.push(...rootField(kind, f));
  }
  for (const [title, types] of groups) {
    if (!types.length) continue;
    out.push(`## ${title}`, '');
    for (const t of types) out.push(...namedType(t));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await import('reflect-metadata');
  const { buildGatewaySchema } = await import('../src/graphql/schema.js');
  process.stdout.write(schemaMarkdown(await buildGatewaySchema()));
}
