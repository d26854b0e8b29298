/**
 * Query limits applied on HTTP (Apollo) and graphql-ws alike: depth and alias counts as validation
 * rules, cost from type-graphql complexity estimates. A rejected operation gets LIMIT_EXCEEDED.
 */
import {
  getVariableValues,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
  type ArgumentNode,
  type DirectiveNode,
  type ValueNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createRequire } from 'node:module';
import { ErrorCode } from '../errors.js';
import { DEFAULT_PAGE, MAX_PAGE } from './relay/connection.js';

// The package's ESM build imports graphql's .mjs files, a second graphql "realm" next to the CJS one
// every other dependency uses; its CJS build shares ours.
const complexity = createRequire(import.meta.url)('graphql-query-complexity') as typeof import('graphql-query-complexity');
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = complexity;

export interface Limits {
  depth: number;
  cost: number;
  aliases: number;
}

export function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.LIMIT_EXCEEDED, http: { status: 400 } } });
}

function selectionDepth(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue; // introspection meta fields
      max = Math.max(max, sel.selectionSet ? 1 + selectionDepth(sel.selectionSet, fragments, seen) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, selectionDepth(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      const frag = fragments.get(name);
      if (frag) max = Math.max(max, selectionDepth(frag.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (ctx: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of ctx.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    return {
      OperationDefinition(op: OperationDefinitionNode) {
        if (op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'))) return;
        const depth = selectionDepth(op.selectionSet, fragments, new Set());
        if (depth > maxDepth) ctx.reportError(limitError(`Query depth ${depth} exceeds the limit of ${maxDepth}`));
      },
    };
  };
}

export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (ctx: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(node) {
        if (node.alias) count++;
      },
      Document: {
        leave() {
          if (count > maxAliases) ctx.reportError(limitError(`${count} aliases exceed the limit of ${maxAliases}`));
        },
      },
    };
  };
}

export function limitRules(l: Limits): ValidationRule[] {
  return [depthLimitRule(l.depth), aliasLimitRule(l.aliases)];
}

/**
 * Estimated cost of an operation: every field costs 1 (or its `complexity`), and list fields with a
 * `first` (or `last`) argument multiply their children by it — so `first: 100` nested three deep is
 * expensive.
 * `nodes(ids:)` multiplies its children by the number of ids. Runs after validation because it needs
 * the variables.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): number {
  return analyseOperation(schema, document, variables, operationName).cost;
}

interface OperationAnalysis {
  cost: number;
  /** the largest page (`first` or `last`) the operation asks for (0 if none), and which argument */
  maxFirst: number;
  maxPageArg: 'first' | 'last';
}

function analyseOperation(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): OperationAnalysis {
  let maxFirst = 0;
  let maxPageArg: 'first' | 'last' = 'first';
  const complexityOf = () =>
    getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [
        fieldExtensionsEstimator(),
        ({ field, args, childComplexity }) => {
          if (field.args.some((a) => a.name === 'first')) {
            const arg = typeof args?.first !== 'number' && typeof args?.last === 'number' ? 'last' : 'first';
            const first = typeof args?.[arg] === 'number' ? (args[arg] as number) : DEFAULT_PAGE;
            if (first > maxFirst) [maxFirst, maxPageArg] = [first, arg];
            // A page below 1 is refused by the resolver; it must not lower the estimate (a negative
            // `first` would otherwise buy budget for the rest of the operation).
            return 1 + Math.max(1, first) * Math.max(1, childComplexity);
          }
          if (field.args.some((a) => a.name === 'ids') && Array.isArray(args?.ids)) {
            return 1 + Math.max(1, args.ids.length) * Math.max(1, childComplexity);
          }
          return undefined;
        },
        simpleEstimator({ defaultComplexity: 1 }),
      ],
    });
  try {
    const cost = complexityOf();
    return { cost, maxFirst, maxPageArg };
  } catch (e) {
    // getComplexity coerces the variables first; a value that does not fit its type is the client's
    // mistake (BAD_USER_INPUT, 400). Uncaught, it would surface as a 500 INTERNAL_SERVER_ERROR.
    throw badUserInput(e);
  }
}

/** An error of the analysis's coercion of the variables (a GraphQLError without a code) as BAD_USER_INPUT; anything else as it is. */
function badUserInput(e: unknown): unknown {
  const err = e as GraphQLError;
  if (err instanceof Error && err.name === 'GraphQLError' && err.extensions?.code == null) {
    return new GraphQLError(err.message, { nodes: err.nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
  return e;
}

/**
 * Analyses already made, per schema and parsed document (Apollo's document store and the graphql-ws
 * path hand the same DocumentNode for the same query text), keyed by operation name and the
 * variables the analysis reads (costKey): the analysis is a pure function of these, and walking the
 * document again for every request of the same query was most of the cost check's CPU. Only
 * successful analyses are kept (an error is raised again each time), and few per document.
 */
const analyses = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, OperationAnalysis>>>();
const ANALYSES_PER_DOCUMENT = 64;

/** The names of the arguments whose values the cost estimators read (see analyseOperation). */
const COST_ARGUMENTS = new Set(['first', 'last', 'ids']);

/**
 * What the analysis of one operation reads of its variables: the operation's variable definitions,
 * and those whose values it reads. Values are read only through the arguments named in
 * COST_ARGUMENTS and through directives (@include/@skip); of every other variable only whether it
 * is given, and whether null, can change the outcome (a missing or null value in a non-null place
 * is an error), and the rest of its value only through coercion, which a cache hit runs again.
 * Null when that cannot be told: no single operation, or a schema whose complexity is a function of
 * other arguments — then every variable is part of the key.
 */
interface CostReads {
  operation: OperationDefinitionNode;
  read: Set<string>;
}

const costReads = new WeakMap<DocumentNode, Map<string, CostReads | null>>();
const argComplexity = new WeakMap<GraphQLSchema, boolean>();

/** Whether any field of the schema computes its complexity from its arguments (a function). */
function hasArgComplexity(schema: GraphQLSchema): boolean {
  let has = argComplexity.get(schema);
  if (has === undefined) {
    has = Object.values(schema.getTypeMap()).some(
      (t) => (isObjectType(t) || isInterfaceType(t)) && Object.values(t.getFields()).some((f) => typeof f.extensions?.complexity === 'function'),
    );
    argComplexity.set(schema, has);
  }
  return has;
}

function variablesIn(node: ValueNode | ArgumentNode | DirectiveNode, out: Set<string>): void {
  visit(node, { Variable: (v) => void out.add(v.name.value) });
}

function readsOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): CostReads | null {
  let byName = costReads.get(document);
  if (!byName) costReads.set(document, (byName = new Map()));
  const name = operationName ?? '';
  if (byName.has(name)) return byName.get(name)!;
  let reads: CostReads | null = null;
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (operation && !hasArgComplexity(schema)) {
    const read = new Set<string>();
    // every operation and fragment of the document: a superset of what this operation reaches
    visit(document, {
      Argument: (a) => void (COST_ARGUMENTS.has(a.name.value) && variablesIn(a.value, read)),
      Directive: (d) => void variablesIn(d, read),
    });
    reads = { operation, read };
  }
  byName.set(name, reads);
  return reads;
}

/** The cache key of an analysis; null when the variables cannot be part of one (not from JSON). */
function costKey(reads: CostReads | null, variables: Record<string, unknown> | undefined, operationName: string | null | undefined): string | null {
  try {
    if (!reads) return `${operationName ?? ''}\u0000*${JSON.stringify(variables ?? {})}`;
    let key = `${operationName ?? ''}\u0000`;
    for (const def of reads.operation.variableDefinitions ?? []) {
      const name = def.variable.name.value;
      const v = variables?.[name];
      // read: its value; else whether it is given, null, or a value
      key += reads.read.has(name) ? `=${JSON.stringify(v) ?? 'u'}\u0000` : `${v === undefined ? 'u' : v === null ? 'n' : 'v'}\u0000`;
    }
    return key;
  } catch {
    return null;
  }
}

function cachedAnalysis(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | null | undefined): OperationAnalysis {
  let bySchema = analyses.get(schema);
  if (!bySchema) analyses.set(schema, (bySchema = new WeakMap()));
  let byKey = bySchema.get(document);
  if (!byKey) bySchema.set(document, (byKey = new Map()));
  const reads = readsOf(schema, document, operationName);
  const key = costKey(reads, variables, operationName);
  // variables that cannot be stringified (not from JSON): analysed every time
  if (key === null) return analyseOperation(schema, document, variables, operationName);
  const hit = byKey.get(key);
  if (hit) {
    // the values the key leaves out still have to fit their types, as the analysis would have found
    if (reads) refuseUncoercible(schema, reads.operation, variables);
    return hit;
  }
  const fresh = analyseOperation(schema, document, variables, operationName);
  if (byKey.size >= ANALYSES_PER_DOCUMENT) byKey.clear();
  byKey.set(key, fresh);
  return fresh;
}

/** The analysis's own coercion of the variables (getComplexity's), with its error: the last one, as BAD_USER_INPUT. */
function refuseUncoercible(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): void {
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (errors?.length) throw badUserInput(errors[errors.length - 1]);
}

/** Refuses, before execution, operations over the cost budget or asking for pages above MAX_PAGE; returns the cost. */
export function assertCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | null | undefined, max: number): number {
  const { cost, maxFirst, maxPageArg } = cachedAnalysis(schema, document, variables, operationName);
  if (maxFirst > MAX_PAGE) throw limitError(`${maxPageArg}: ${maxFirst} exceeds the page limit of ${MAX_PAGE}`);
  if (cost > max) throw limitError(`Query cost ${cost} exceeds the limit of ${max}`);
  return cost;
}
