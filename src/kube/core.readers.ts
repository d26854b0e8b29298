/**
 * Core object readers: a LoadBalancer Service's external address (from the object or from the
 * ManifestWork feedback), Secret values, and the access URL built from them.
 */
import { asString, isRecord, statusOf } from './conditions.js';
import type { Expose } from './flux.builders.js';
import { FeedbackName } from './manifestwork.builder.js';
import type { KubeObject } from './object.types.js';
import { feedbackInteger, feedbackString, type FeedbackValue } from './work.readers.js';

/** `status.loadBalancer.ingress[0]`: its ip, else its hostname. */
export function serviceAddress(svc: KubeObject): string | undefined {
  const lb = statusOf(svc).loadBalancer;
  const first = isRecord(lb) && Array.isArray(lb.ingress) ? lb.ingress[0] : undefined;
  if (!isRecord(first)) return undefined;
  return asString(first.ip) || asString(first.hostname) || undefined;
}

/** The same address from the feedback rules of a Service manifest. */
export function serviceAddressFromFeedback(values: Map<string, FeedbackValue>): string | undefined {
  return feedbackString(values, FeedbackName.IngressIp) || feedbackString(values, FeedbackName.IngressHostname) || undefined;
}

/** A Secret's `data[key]`, base64-decoded as UTF-8; undefined when absent. */
export function secretValue(secret: KubeObject, key: string): string | undefined {
  const data = (secret as { data?: unknown }).data;
  const encoded = isRecord(data) ? asString(data[key]) : undefined;
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

/** `http://<address>:<port>/<path>` (IPv6 addresses bracketed). */
export function accessUrl(address: string, expose: Expose): string {
  const host = address.includes(':') ? `[${address}]` : address;
  const path = (expose.path ?? '').replace(/^\/+/, '');
  return `http://${host}:${expose.port}/${path}`;
}

/** The node port the API server allocated to a NodePort Service, from its feedback. */
export function nodePortFromFeedback(values: Map<string, FeedbackValue>): number | undefined {
  return feedbackInteger(values, FeedbackName.NodePort);
}

/** `http://<host>/<path>`: an Ingress host on the default HTTP port. */
export function ingressUrl(host: string, path?: string): string {
  return `http://${host}/${(path ?? '').replace(/^\/+/, '')}`;
}
