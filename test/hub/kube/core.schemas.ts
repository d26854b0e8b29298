/**
 * Strict schemas for the core kinds we write (no CRD exists for them): only the fields our builders may
 * use, with the API server's enums and ranges, so a typo or a stray field fails the test.
 */
import { OBJECT_META_SCHEMA } from './crd.validator.js';

type Schema = Record<string, unknown>;

const QUANTITY = '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]i?|[KMGTPE]i)?$';
const DNS_1035 = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

const object = (properties: Schema, required: string[] = []): Schema => ({ type: 'object', additionalProperties: false, properties, required });
const typeMeta = (apiVersion: string, kind: string): Schema => ({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata: OBJECT_META_SCHEMA });

export const CORE_SCHEMAS: Record<string, Schema> = {
  Namespace: object({ ...typeMeta('v1', 'Namespace') }, ['apiVersion', 'kind', 'metadata']),
  Secret: object(
    {
      ...typeMeta('v1', 'Secret'),
      type: { type: 'string', minLength: 1 },
      data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
    },
    ['apiVersion', 'kind', 'metadata'],
  ),
  ResourceQuota: object(
    {
      ...typeMeta('v1', 'ResourceQuota'),
      spec: object({ hard: { type: 'object', additionalProperties: { type: 'string', pattern: QUANTITY } } }, ['hard']),
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  ),
  Service: object(
    {
      ...typeMeta('v1', 'Service'),
      metadata: { ...OBJECT_META_SCHEMA, properties: { ...(OBJECT_META_SCHEMA.properties as Schema), name: { type: 'string', maxLength: 63, pattern: DNS_1035 } } },
      spec: object(
        {
          type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
          selector: { type: 'object', additionalProperties: { type: 'string' } },
          ports: {
            type: 'array',
            minItems: 1,
            items: object(
              {
                name: { type: 'string', maxLength: 15, pattern: DNS_1035 },
                port: { type: 'integer', minimum: 1, maximum: 65535 },
                targetPort: { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string' }] },
                protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
              },
              ['port'],
            ),
          },
        },
        ['ports'],
      ),
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  ),
  Ingress: object(
    {
      ...typeMeta('networking.k8s.io/v1', 'Ingress'),
      metadata: { ...OBJECT_META_SCHEMA, properties: { ...(OBJECT_META_SCHEMA.properties as Schema), name: { type: 'string', maxLength: 253, pattern: DNS_1035 } } },
      spec: object(
        {
          ingressClassName: { type: 'string' },
          rules: {
            type: 'array',
            minItems: 1,
            items: object(
              {
                // a DNS-1123 subdomain, no wildcard (we make one host per component)
                host: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
                http: object(
                  {
                    paths: {
                      type: 'array',
                      minItems: 1,
                      items: object(
                        {
                          path: { type: 'string', pattern: '^/' },
                          pathType: { enum: ['Exact', 'Prefix', 'ImplementationSpecific'] },
                          backend: object({ service: object({ name: { type: 'string', pattern: DNS_1035 }, port: object({ number: { type: 'integer', minimum: 1, maximum: 65535 } }, ['number']) }, ['name', 'port']) }, ['service']),
                        },
                        ['path', 'pathType', 'backend'],
                      ),
                    },
                  },
                  ['paths'],
                ),
              },
              ['host', 'http'],
            ),
          },
        },
        ['rules'],
      ),
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  ),
};
