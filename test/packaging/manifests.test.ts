/**
 * The Kubernetes manifests (deploy/base + two overlays), rendered by the real `kubectl kustomize`,
 * checked against the code: every variable they set is one the config reads (and the rendered set
 * passes loadConfig without a warning), secrets live in a Secret, probe paths answer on a real
 * gateway, the container port is PORT, the ServiceAccount is bound to the ClusterRole of
 * deploy/rbac.yaml, the pod runs as the image's non-root user on a read-only root file system, and
 * every object is structurally valid Kubernetes (offline, against client-node's OpenAPI models).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, SECRET_CONFIG_VARIABLES, loadConfig, type Config } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ROOT } from '../helpers/artifact.js';
import { all, parseDockerfile } from '../helpers/dockerfile.js';
import { validateObject } from '../helpers/kube-schema.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const haveKubectl = kubectl.status === 0;
if (!haveKubectl) console.warn('[manifests] kubectl not found on PATH: the deploy/ overlays are NOT rendered or checked (install kubectl to run these tests)');

const OVERLAYS = ['single-sqlite', 'ha-postgres'] as const;
const rendered: Record<string, Obj[]> = {};
let work: string;
let app: TestApp;

const rbac = yaml.loadAll(readFileSync(path.join(ROOT, 'deploy', 'rbac.yaml'), 'utf8')) as Obj[];
const imageUser = all(parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).stages.at(-1)!, 'USER').at(-1)!;
const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  if (!haveKubectl) return;
  // Render a copy: each overlay's secrets.env (not committed) is made from its committed example.
  work = mkdtempSync(path.join(tmpdir(), 'sg-deploy-'));
  cpSync(path.join(ROOT, 'deploy'), path.join(work, 'deploy'), { recursive: true });
  for (const o of OVERLAYS) {
    const dir = path.join(work, 'deploy', 'overlays', o);
    cpSync(path.join(dir, 'secrets.env.example'), path.join(dir, 'secrets.env'));
    const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`kubectl kustomize ${o} failed:\n${r.stderr}`);
    rendered[o] = yaml.loadAll(r.stdout) as Obj[];
  }
  app = await startTestApp();
}, 120_000);

afterAll(async () => {
  await app?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const find = (objs: Obj[], kind: string, name?: string) => objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objs: Obj[], kind: string, name?: string): Obj => {
  const found = find(objs, kind, name);
  expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toHaveLength(1);
  return found[0];
};
const decode = (data: Record<string, string> = {}) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

/** The environment a container gets, and where each variable came from. */
function containerEnv(objs: Obj[], container: any): { env: Record<string, string>; fromConfigMap: string[]; fromSecret: string[] } {
  const env: Record<string, string> = {};
  const fromConfigMap: string[] = [];
  const fromSecret: string[] = [];
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const data = one(objs, 'ConfigMap', source.configMapRef.name).data ?? {};
      Object.assign(env, data);
      fromConfigMap.push(...Object.keys(data));
    } else if (source.secretRef) {
      const s = one(objs, 'Secret', source.secretRef.name);
      const data = { ...decode(s.data), ...(s.stringData ?? {}) };
      Object.assign(env, data);
      fromSecret.push(...Object.keys(data));
    }
  }
  for (const e of container.env ?? []) env[e.name] = e.value ?? '';
  return { env, fromConfigMap, fromSecret };
}

describe.runIf(haveKubectl).each(OVERLAYS)('deploy/overlays/%s', (overlay) => {
  const objs = () => rendered[overlay];
  const deployment = () => one(objs(), 'Deployment');
  const pod = () => deployment().spec.template.spec;
  const gateway = () => pod().containers.find((c: any) => c.name === 'gateway');
  const config = (): Config => loadConfig(containerEnv(objs(), gateway()).env, '/app');

  it('renders structurally valid Kubernetes objects', () => {
    expect(objs().map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['Deployment/spokegraph', 'Service/spokegraph', 'ServiceAccount/spokegraph-gateway', 'ClusterRoleBinding/spokegraph-gateway-hub']));
    expect(objs().flatMap(validateObject)).toEqual([]);
    for (const o of objs()) if (o.kind !== 'ClusterRoleBinding') expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('spokegraph');
    // what the API server would refuse and the models cannot say
    const volumes = pod().volumes as any[];
    for (const v of volumes) expect(Object.keys(v).filter((k) => k !== 'name'), v.name).toHaveLength(1);
    for (const c of [...pod().containers, ...(pod().initContainers ?? [])]) {
      for (const m of c.volumeMounts ?? []) expect(volumes.map((v) => v.name)).toContain(m.name);
    }
    const selector = deployment().spec.selector.matchLabels;
    expect(deployment().spec.template.metadata.labels).toMatchObject(selector);
    expect(one(objs(), 'Service').spec.selector).toEqual(selector);
  });

  it('sets only variables the config knows, secrets in a Secret, and they pass loadConfig without a warning', () => {
    for (const c of [...pod().containers, ...(pod().initContainers ?? [])]) {
      const { env, fromConfigMap, fromSecret } = containerEnv(objs(), c);
      expect(Object.keys(env).filter((k) => !(CONFIG_VARIABLES as readonly string[]).includes(k))).toEqual([]);
      expect(fromConfigMap.filter((k) => SECRET_CONFIG_VARIABLES.includes(k as never))).toEqual([]);
      expect(fromSecret.filter((k) => !SECRET_CONFIG_VARIABLES.includes(k as never))).toEqual([]);
      expect(loadConfig(env, '/app').warnings).toEqual([]);
    }
    expect(config()).toMatchObject({ host: '0.0.0.0', hub: { kind: 'in-cluster' }, seedDemo: false, logJson: true });
  });

  it('listens on PORT, and the Service and probes reach it by name', () => {
    const port = gateway().ports.find((p: any) => p.name === 'http');
    expect(port.containerPort).toBe(config().port);
    expect(one(objs(), 'Service').spec.ports.map((p: any) => p.targetPort)).toEqual(['http']);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(gateway()[probe].httpGet.port, probe).toBe('http');
    expect(deployment().spec.template.metadata.annotations['prometheus.io/port']).toBe(String(config().port));
  });

  it('probes paths the gateway serves: readiness on /readyz, liveness on /healthz', async () => {
    expect(gateway().readinessProbe.httpGet.path).toBe('/readyz');
    expect(gateway().livenessProbe.httpGet.path).toBe('/healthz');
    const base = app.url.replace(/\/graphql$/, '');
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const p = gateway()[probe].httpGet.path;
      expect([probe, p, (await fetch(base + p)).status]).toEqual([probe, p, 200]);
    }
    expect((await fetch(`${base}${deployment().spec.template.metadata.annotations['prometheus.io/path']}`)).status).toBe(200);
  });

  it('runs under a ServiceAccount bound to the hub ClusterRole of deploy/rbac.yaml', () => {
    const role = rbac.find((d) => d.kind === 'ClusterRole')!;
    const sa = one(objs(), 'ServiceAccount', pod().serviceAccountName);
    const binding = one(objs(), 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toContainEqual({ kind: 'ServiceAccount', name: sa.metadata.name, namespace: deployment().metadata.namespace });
    expect(pod().automountServiceAccountToken).not.toBe(false);
    expect(config().hub).toEqual({ kind: 'in-cluster' });
  });

  it('runs as the image user, non-root, on a read-only root file system with DATA_DIR and /tmp writable', () => {
    const [uid, gid] = imageUser.split(':').map(Number);
    expect(pod().securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid });
    for (const c of [...pod().containers, ...(pod().initContainers ?? [])]) {
      expect(c.securityContext, c.name).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(Object.keys(c.resources.requests).sort(), c.name).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources.limits).sort(), c.name).toEqual(['cpu', 'memory']);
      expect(c.image, c.name).toBe(`spokegraph:${version}`);
      expect((c.volumeMounts ?? []).map((m: any) => m.mountPath), c.name).toContain('/tmp');
    }
    const mounts = gateway().volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toContain(config().dataDir);
  });

  if (overlay === 'single-sqlite') {
    it('is one replica on SQLite on a PersistentVolumeClaim, recreated rather than rolled', () => {
      expect(deployment().spec.replicas).toBe(1);
      expect(deployment().spec.strategy).toEqual({ type: 'Recreate' });
      const cfg = config();
      expect(cfg.db).toEqual({ kind: 'sqlite', file: path.join(cfg.dataDir, 'spokegraph.sqlite') });
      const mount = gateway().volumeMounts.find((m: any) => m.mountPath === cfg.dataDir);
      const volume = pod().volumes.find((v: any) => v.name === mount.name);
      const claim = one(objs(), 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
      expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(find(objs(), 'PodDisruptionBudget')).toEqual([]);
    });
  } else {
    it('is N replicas on PostgreSQL and Redis, migrated once per rollout by a `migrate` initContainer, with a PodDisruptionBudget', () => {
      const replicas = deployment().spec.replicas as number;
      expect(replicas).toBeGreaterThanOrEqual(2);
      const cfg = config();
      expect(cfg.db.kind).toBe('postgresql');
      expect(cfg.redisUrl).toMatch(/^rediss?:\/\//);
      expect(find(objs(), 'PersistentVolumeClaim')).toEqual([]);

      const [migrate] = pod().initContainers;
      expect(migrate.args).toEqual(['migrate']);
      expect(migrate.image).toBe(gateway().image);
      expect(containerEnv(objs(), migrate).env).toEqual(containerEnv(objs(), gateway()).env);

      const pdb = one(objs(), 'PodDisruptionBudget');
      expect(deployment().spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
      // a drain may take a replica, never all of them
      const unavailable = pdb.spec.maxUnavailable ?? replicas - pdb.spec.minAvailable;
      expect(unavailable).toBeGreaterThanOrEqual(1);
      expect(unavailable).toBeLessThan(replicas);
      expect(deployment().spec.strategy.rollingUpdate).toMatchObject({ maxUnavailable: 0 });
    });
  }
});

describe.runIf(haveKubectl)('deploy/', () => {
  it('commits no secrets.env, only examples', () => {
    for (const o of OVERLAYS) {
      const files = readdirSync(path.join(ROOT, 'deploy', 'overlays', o));
      expect(files).toContain('secrets.env.example');
      const ignored = spawnSync('git', ['check-ignore', '-q', `deploy/overlays/${o}/secrets.env`], { cwd: ROOT });
      expect(ignored.status, `deploy/overlays/${o}/secrets.env must be git-ignored`).toBe(0);
    }
    expect(existsSync(path.join(ROOT, 'deploy', 'base', 'kustomization.yaml'))).toBe(true);
  });
});
