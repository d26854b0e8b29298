import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { DeployAppMutation, DeployFormQuery, QuotaWhatIfQuery } from '../api/operations';
import { errorsAt, ErrorBox, FieldErrors, Loading, QuotaBar, type UserErrorLike } from '../components/bits';
import type { DeployAppInput, PlanFieldsFragment, QuotaWhatIfQuery as WhatIf, VariableType } from '../gql/graphql';
import { href } from '../router';

type Target = 'existing' | 'dedicated';

interface Form {
  name: string;
  description: string;
  bundleId: string;
  target: Target;
  poolId: string;
  infraBundleId: string;
  workers: string;
  gpuFamily: string;
  gpusPerNode: string;
  variables: Record<string, string>;
}

/** Text typed for a variable → the JSON value its type takes (INT64 beyond 2^53 stays a string). */
function typed(type: VariableType, text: string): unknown {
  const t = text.trim();
  if (type === 'BOOL') return t === 'true';
  if (type === 'STRING') return text;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) {
    const n = Number(t);
    return type === 'INT64' && !Number.isSafeInteger(n) ? t : n;
  }
  return text; // let the gateway say why it is not a number, next to the field
}

export function DeployScreen({ project }: { project: string }) {
  const { data, error } = useQuery(DeployFormQuery, { variables: { name: project } });
  const p = data?.project;
  const apollo = useApolloClient();
  const [deploy, deploying] = useMutation(DeployAppMutation);
  const [form, setForm] = useState<Form>({ name: '', description: '', bundleId: '', target: 'existing', poolId: '', infraBundleId: '', workers: '1', gpuFamily: '', gpusPerNode: '8', variables: {} });
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [plan, setPlan] = useState<PlanFieldsFragment | null>(null);
  const [whatIf, setWhatIf] = useState<WhatIf['quotaWhatIf'][]>([]);

  const bundles = p?.profileBundles.nodes ?? [];
  const appBundles = bundles.filter((b) => b.bundleType !== 'INFRASTRUCTURE');
  const infraBundles = bundles.filter((b) => b.bundleType !== 'APPLICATION');
  const pools = p?.computePools.nodes ?? [];
  const bundle = appBundles.find((b) => b.id === form.bundleId) ?? null;

  // sensible first choices once the project is loaded: the newest app bundle, the first running pool
  useEffect(() => {
    if (!p) return;
    setForm((f) => ({
      ...f,
      bundleId: f.bundleId || (appBundles.at(-1)?.id ?? ''),
      poolId: f.poolId || (pools[0]?.id ?? ''),
      target: pools.length || !infraBundles.length ? f.target : 'dedicated',
      infraBundleId: f.infraBundleId || (infraBundles.at(-1)?.id ?? ''),
      // the family the app asks for, else the first the project has quota for
      gpuFamily: f.gpuFamily || (appBundles.at(-1)?.workloadProfiles.flatMap((w) => w.components).find((c) => c.gpu)?.gpu?.family ?? p.gpuQuota[0]?.gpuFamily ?? ''),
    }));
  }, [p?.id]); // only when the project arrives

  const input = useMemo((): DeployAppInput | null => {
    if (!p) return null;
    const variables = (bundle?.variables ?? [])
      .filter((v) => !v.locked && form.variables[v.name] !== undefined && form.variables[v.name] !== '')
      .map((v) => ({ name: v.name, value: typed(v.type, form.variables[v.name]) }));
    return {
      projectId: p.id,
      name: form.name.trim(),
      description: form.description.trim() || null,
      bundleIds: form.bundleId ? [form.bundleId] : [],
      variables,
      ...(form.target === 'existing'
        ? { poolId: form.poolId || null }
        : {
            newDedicatedPool: {
              infrastructureBundleId: form.infraBundleId,
              nodeRequirements: {
                workerPools: [{ name: 'gpu', nodeCount: Number(form.workers) || 0, gpu: form.gpuFamily ? { family: form.gpuFamily, countPerNode: Number(form.gpusPerNode) || 0 } : null }],
              },
            },
          }),
    };
  }, [p, form, bundle]);

  if (error) return <ErrorBox>{error.message}</ErrorBox>;
  if (!data) return <Loading what="the deploy form" />;
  if (!p || !input) return <ErrorBox>Project {project} does not exist or is not visible to you.</ErrorBox>;

  const set = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setPlan(null); // a plan answers the input it was made for
  };

  const review = async (e: FormEvent) => {
    e.preventDefault();
    const r = await deploy({ variables: { input: { ...input, dryRun: true } } });
    const payload = r.data?.deployApp;
    setErrors([...(payload?.userErrors ?? []), ...(payload?.plan?.refusals ?? [])]);
    setPlan(payload?.plan ?? null);
    // what admission would reserve: per family, the project-level request of the plan (a new
    // dedicated pool holds all GPUs of its machines, more than the app asks for)
    const requests = (payload?.plan?.quota ?? []).filter((q) => q.level === 'PROJECT').map((q) => ({ gpuFamily: q.gpuFamily, count: q.requested }));
    const answers = await Promise.all(
      requests.map(async (g) => (await apollo.query({ query: QuotaWhatIfQuery, variables: { projectId: p.id, gpuFamily: g.gpuFamily, count: g.count }, fetchPolicy: 'network-only' })).data?.quotaWhatIf),
    );
    setWhatIf(answers.filter((a): a is WhatIf['quotaWhatIf'] => !!a));
  };

  const submit = async () => {
    const r = await deploy({ variables: { input } });
    const payload = r.data?.deployApp;
    setErrors(payload?.userErrors ?? []);
    if (payload?.appDeployment) window.location.hash = href.deployment(payload.appDeployment.id);
  };

  const at = (...path: string[]) => errorsAt(errors, ...path);
  const described = (id: string, errs: UserErrorLike[]) => ({ 'aria-invalid': errs.length ? true : undefined, 'aria-describedby': errs.length ? `${id}-errors` : undefined });
  const shown = new Set<UserErrorLike>();
  const field = (id: string, ...path: string[]) => {
    const errs = at(...path);
    errs.forEach((x) => shown.add(x));
    return { errs, id, attrs: described(id, errs) };
  };
  const nameF = field('name', 'name');
  const descF = field('description', 'description');
  const bundleF = field('bundle', 'bundleIds');
  const poolF = field('pool', 'poolId');
  const infraF = field('infra', 'newDedicatedPool', 'infrastructureBundleId');
  const workersF = field('workers', 'newDedicatedPool', 'nodeRequirements');
  const varFields = (bundle?.variables ?? []).map((v) => ({ v, f: field(`var-${v.name}`, 'variables', v.name) }));
  const dedicatedF = field('dedicated', 'newDedicatedPool');
  const rest = errors.filter((e) => !shown.has(e));

  return (
    <>
      <h1 tabIndex={-1}>Deploy an app to {p.displayName}</h1>
      <p>
        <a href={href.project(p.name)}>← Project {p.name}</a>
      </p>
      <section className="card" aria-labelledby="quota-now">
        <h2 id="quota-now">GPU quota now</h2>
        {p.gpuQuota.map((q) => (
          <QuotaBar key={q.gpuFamily} {...q} />
        ))}
      </section>
      <form className="card deploy" onSubmit={(e) => void review(e)} noValidate aria-labelledby="deploy-form-title">
        <h2 id="deploy-form-title">What to deploy</h2>
        <label htmlFor="name">Name</label>
        <p className="hint">3-33 characters: lowercase letters, digits and "-".</p>
        <input id="name" value={form.name} onChange={(e) => set({ name: e.target.value })} {...nameF.attrs} />
        <FieldErrors id="name-errors" errors={nameF.errs} />

        <label htmlFor="description">Description (optional)</label>
        <input id="description" value={form.description} onChange={(e) => set({ description: e.target.value })} {...descF.attrs} />
        <FieldErrors id="description-errors" errors={descF.errs} />

        <label htmlFor="bundle">Application bundle</label>
        <select id="bundle" value={form.bundleId} onChange={(e) => set({ bundleId: e.target.value, variables: {} })} {...bundleF.attrs}>
          <option value="">Choose a bundle…</option>
          {appBundles.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name} {b.versionLabel} ({b.bundleType})
            </option>
          ))}
        </select>
        <FieldErrors id="bundle-errors" errors={bundleF.errs} />

        <fieldset>
          <legend>Where it runs</legend>
          <div className="radio">
            <input type="radio" id="target-existing" name="target" checked={form.target === 'existing'} onChange={() => set({ target: 'existing' })} />
            <label htmlFor="target-existing">On a running compute pool</label>
          </div>
          <div className="radio">
            <input type="radio" id="target-dedicated" name="target" checked={form.target === 'dedicated'} onChange={() => set({ target: 'dedicated' })} />
            <label htmlFor="target-dedicated">On a new dedicated pool, provisioned for it</label>
          </div>
          {form.target === 'existing' ? (
            <>
              <label htmlFor="pool">Compute pool</label>
              <select id="pool" value={form.poolId} onChange={(e) => set({ poolId: e.target.value })} {...poolF.attrs}>
                <option value="">Choose a pool…</option>
                {pools.map((pool) => (
                  <option key={pool.id} value={pool.id}>
                    {pool.name} ({pool.mode}; {pool.gpus.map((g) => `${g.free} ${g.gpuFamily} free`).join(', ') || 'no GPUs'})
                  </option>
                ))}
              </select>
              <FieldErrors id="pool-errors" errors={poolF.errs} />
            </>
          ) : (
            <>
              <label htmlFor="infra">Infrastructure bundle</label>
              <select id="infra" value={form.infraBundleId} onChange={(e) => set({ infraBundleId: e.target.value })} {...infraF.attrs}>
                {infraBundles.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name} {b.versionLabel}
                  </option>
                ))}
              </select>
              <FieldErrors id="infra-errors" errors={infraF.errs} />
              <label htmlFor="workers">GPU worker nodes</label>
              <input id="workers" inputMode="numeric" value={form.workers} onChange={(e) => set({ workers: e.target.value })} {...workersF.attrs} />
              <label htmlFor="gpu-family">GPU family</label>
              <select id="gpu-family" value={form.gpuFamily} onChange={(e) => set({ gpuFamily: e.target.value })}>
                {p.gpuQuota.map((q) => (
                  <option key={q.gpuFamily} value={q.gpuFamily}>
                    {q.gpuFamily}
                  </option>
                ))}
              </select>
              <label htmlFor="gpus-per-node">GPUs per node</label>
              <input id="gpus-per-node" inputMode="numeric" value={form.gpusPerNode} onChange={(e) => set({ gpusPerNode: e.target.value })} />
              <FieldErrors id="workers-errors" errors={workersF.errs} />
              <FieldErrors id="dedicated-errors" errors={dedicatedF.errs} />
            </>
          )}
        </fieldset>

        {varFields.length > 0 && (
          <fieldset>
            <legend>Variables of {bundle?.name}</legend>
            {varFields.map(({ v, f }) => (
              <div key={v.name}>
                <label htmlFor={f.id}>
                  {v.name} <span className="muted">({v.type}{v.required ? ', required' : ''}{v.locked ? ', locked' : ''})</span>
                </label>
                {v.description && <p className="hint">{v.description}</p>}
                <input
                  id={f.id}
                  value={v.locked ? JSON.stringify(v.default) : (form.variables[v.name] ?? '')}
                  placeholder={v.default === null || v.default === undefined ? '' : `default: ${JSON.stringify(v.default)}`}
                  disabled={v.locked}
                  onChange={(e) => set({ variables: { ...form.variables, [v.name]: e.target.value } })}
                  {...f.attrs}
                />
                <FieldErrors id={`${f.id}-errors`} errors={f.errs} />
              </div>
            ))}
          </fieldset>
        )}

        {rest.length > 0 && <FieldErrors id="form-errors" errors={rest} />}
        {deploying.error && <ErrorBox>{deploying.error.message}</ErrorBox>}
        <button type="submit" disabled={deploying.loading}>
          Review the plan
        </button>
      </form>
      {plan && <PlanView plan={plan} whatIf={whatIf} onDeploy={() => void submit()} busy={deploying.loading} />}
    </>
  );
}

function PlanView({ plan, whatIf, onDeploy, busy }: { plan: PlanFieldsFragment; whatIf: WhatIf['quotaWhatIf'][]; onDeploy: () => void; busy: boolean }) {
  return (
    <section className="card plan" aria-labelledby="plan-title">
      <h2 id="plan-title" tabIndex={-1}>
        The plan {plan.allowed ? '(nothing written yet)' : '— would be refused'}
      </h2>
      <p>
        Pool <strong>{plan.pool.name}</strong> ({plan.pool.mode}
        {plan.pool.isNew ? ', new' : ''}), cluster <strong>{plan.pool.cluster ?? 'chosen at provisioning'}</strong>
        {plan.pool.machines.length > 0 && <>; reserves hosts {plan.pool.machines.join(', ')}</>}.
      </p>
      <h3>Steps</h3>
      <ol>
        {plan.steps.map((s) => (
          <li key={s.step}>
            <strong>{s.step}</strong>: {s.title}
          </li>
        ))}
      </ol>
      <h3>Quota verdict</h3>
      <table>
        <caption className="visually-hidden">GPU quota verdict per level</caption>
        <thead>
          <tr>
            <th scope="col">Level</th>
            <th scope="col">GPU family</th>
            <th scope="col">Requested</th>
            <th scope="col">Used</th>
            <th scope="col">Limit</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {plan.quota.map((q) => (
            <tr key={`${q.level}-${q.gpuFamily}`}>
              <th scope="row">{q.level}</th>
              <td>{q.gpuFamily}</td>
              <td>{q.requested}</td>
              <td>{q.used}</td>
              <td>{q.limit}</td>
              <td className={q.allowed ? 'ok-text' : 'bad-text'}>{q.allowed ? 'fits' : 'over the limit'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {whatIf.length > 0 && (
        <div className="whatif">
          <h3>Quota what-if (asked now)</h3>
          <ul>
            {whatIf.map((w, i) => (
              <li key={i}>
                {w.levels.map((l) => `${l.level}: ${l.requested} ${l.gpuFamily} → ${l.used + l.requested} of ${l.limit}`).join('; ')} —{' '}
                <strong>{w.allowed ? 'would be admitted' : `refused at the ${w.bindingLevel} level`}</strong>
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan.refusals.length > 0 && (
        <ErrorBox>
          {plan.refusals.map((r, i) => (
            <p key={i}>{r.message}</p>
          ))}
        </ErrorBox>
      )}
      <details>
        <summary>Rendered hub objects ({plan.hubObjects.length})</summary>
        {plan.hubObjects.map((o, i) => (
          <pre key={i}>{JSON.stringify(o, null, 2)}</pre>
        ))}
      </details>
      <button type="button" onClick={onDeploy} disabled={!plan.allowed || busy}>
        Deploy
      </button>
    </section>
  );
}
