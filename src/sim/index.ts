/**
 * The SIMULATED hub: an in-process Kubernetes API server plus controllers playing Cluster API, OCM
 * and Flux, so the gateway, tests and demos run the real @kubernetes/client-node code with no
 * cluster. It is a simulator — it says so in every log line and in its kubeconfig.
 */
export { startSimulatedHub, type SimOptions, type SimulatedHub, type SpokeView } from './simulated.hub.js';
export { parseSimEnv } from './sim.env.js';
export { noFaults, FAULT_VERBS, type SimFaults, type FaultVerb } from './fault.state.js';
export type { KubeObject } from './kube.types.js';
