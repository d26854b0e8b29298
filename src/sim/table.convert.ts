/**
 * meta.k8s.io/v1 Table responses (what `kubectl get` asks for with `as=Table`): a Name column, the
 * CRD's additionalPrinterColumns (JSONPath cells; `date` columns as ages) or, without them, Age;
 * a few columns of the built-in kinds' printers. Rows carry PartialObjectMetadata, the default
 * `includeObject=Metadata`.
 */
import { evaluateJsonPath, JsonPathError } from './controllers/jsonpath.eval.js';
import { crdVersion } from './crd.registry.js';
import type { KubeObject } from './kube.types.js';
import type { ResourceType } from './resource.catalog.js';

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell: (o: KubeObject) => unknown;
}

/** kube's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

const age = (ts: unknown) => (typeof ts === 'string' && ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>');

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name ?? '' };
const AGE: Column = { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o) => age(o.metadata.creationTimestamp) };

const col = (name: string, cell: (o: KubeObject) => unknown, type = 'string', priority = 0): Column => ({ name, type, format: '', description: name, priority, cell });
const spec = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;

const BUILTIN: Record<string, Column[]> = {
  Namespace: [NAME, col('Status', (o) => (o.status as { phase?: string } | undefined)?.phase ?? ''), AGE],
  Secret: [NAME, col('Type', (o) => o.type ?? ''), col('Data', (o) => Object.keys((o.data ?? {}) as object).length, 'string'), AGE],
  ConfigMap: [NAME, col('Data', (o) => Object.keys((o.data ?? {}) as object).length + Object.keys((o.binaryData ?? {}) as object).length, 'string'), AGE],
  Service: [
    NAME,
    col('Type', (o) => spec(o).type ?? 'ClusterIP'),
    col('Cluster-IP', (o) => spec(o).clusterIP ?? '<none>'),
    col('External-IP', (o) => ((o.status as { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).join(',') || '<none>'),
    col('Port(s)', (o) => ((spec(o).ports ?? []) as Array<{ port: number; protocol?: string }>).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>'),
    AGE,
  ],
};

function columnsOf(r: ResourceType, version: string): Column[] {
  if (!r.custom) return BUILTIN[r.kind] ?? [NAME, AGE];
  const printer = crdVersion(r.group, r.plural, version)?.additionalPrinterColumns;
  if (!printer?.length) return [NAME, AGE];
  return [
    NAME,
    ...printer.map((p) => ({
      name: p.name,
      type: p.type,
      format: p.format ?? '',
      description: p.description ?? '',
      priority: p.priority ?? 0,
      cell: (o: KubeObject) => {
        let values: unknown[];
        try {
          values = evaluateJsonPath(o, p.jsonPath);
        } catch (e) {
          if (e instanceof JsonPathError) return null;
          throw e;
        }
        if (!values.length) return null;
        if (p.type === 'date') return age(values[0]);
        return values.length === 1 ? values[0] : values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
      },
    })),
  ];
}

export function toTable(r: ResourceType, version: string, items: KubeObject[], listMeta: Record<string, unknown> | undefined): Record<string, unknown> {
  const columns = columnsOf(r, version);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta ? { resourceVersion: listMeta.resourceVersion, ...(listMeta.continue ? { continue: listMeta.continue, remainingItemCount: listMeta.remainingItemCount } : {}) } : { resourceVersion: items[0]?.metadata.resourceVersion },
    columnDefinitions: columns.map(({ cell: _c, ...def }) => def),
    rows: items.map((o) => ({
      cells: columns.map((c) => c.cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
