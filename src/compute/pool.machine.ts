/** The one transition table of Compute Pool phases (design §2). */
import { PhaseMachine } from '../workflow/phase.machine.js';
import { PoolPhase as P } from './pool.model.js';

export const poolMachine = new PhaseMachine<P>('Compute pool', {
  [P.PENDING]: [P.PROVISIONING, P.FAILED, P.DELETING],
  [P.PROVISIONING]: [P.REGISTERING, P.FAILED, P.DELETING],
  [P.REGISTERING]: [P.INSTALLING, P.FAILED, P.DELETING],
  [P.INSTALLING]: [P.RUNNING, P.FAILED, P.DELETING],
  [P.RUNNING]: [P.DELETING, P.FAILED],
  [P.FAILED]: [P.DELETING, P.PROVISIONING],
  [P.DELETING]: [P.DELETED, P.FAILED],
  [P.DELETED]: [],
});
