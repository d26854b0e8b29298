/**
 * The graphql-ws counterpart of the HTTP access log: one log line and one count per operation, when
 * it ends. graphql-ws reports an operation through several hooks (onSubscribe, onNext, onError,
 * onComplete) and a refused one skips onComplete, so the counting lives here, keyed by connection
 * and operation id, and each operation is finished exactly once.
 */
import type { Metrics } from '../graphql/metrics.js';
import type { Conn } from '../graphql/socket.registry.js';
import type { Logger } from '../logger.js';

interface Running {
  type: string;
  name: string | null;
  started: bigint;
  codes: string[];
}

export class WsOperations {
  private readonly running = new WeakMap<Conn, Map<string, Running>>();
  private readonly log: Logger;

  constructor(
    log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.log = log.child({ component: 'graphql-ws' });
  }

  /** The operation passed every check and is about to execute. */
  started(conn: Conn, id: string, type: string, name: string | null | undefined): void {
    let ops = this.running.get(conn);
    if (!ops) this.running.set(conn, (ops = new Map()));
    ops.set(id, { type, name: name ?? null, started: process.hrtime.bigint(), codes: [] });
  }

  /** Codes of errors sent to the client: in a result, or a refusal (then the operation ends here). */
  errors(conn: Conn, id: string, requestId: string, name: string | null | undefined, codes: string[]): void {
    const op = this.running.get(conn)?.get(id);
    if (op) return void op.codes.push(...codes);
    // refused before it started: graphql-ws will not call onComplete for it
    this.metrics.refusal(name, codes);
    this.write(conn, id, requestId, { type: 'refused', name: name ?? null, started: process.hrtime.bigint(), codes }, 'refused');
  }

  completed(conn: Conn, id: string, requestId: string): void {
    const ops = this.running.get(conn);
    const op = ops?.get(id);
    if (!op) return;
    ops!.delete(id);
    const outcome = op.codes.length ? 'error' : 'ok';
    this.metrics.operation(op.type, op.name, op.codes, op.type === 'subscription' ? null : Number(process.hrtime.bigint() - op.started) / 1e9);
    this.write(conn, id, requestId, op, outcome);
  }

  private write(conn: Conn, id: string, requestId: string, op: Running, outcome: string): void {
    this.log.info('graphql-ws operation', {
      requestId,
      operationId: id,
      operationName: op.name ?? undefined,
      operationType: op.type,
      durationMs: Math.round(Number(process.hrtime.bigint() - op.started) / 1e5) / 10,
      outcome,
      errorCode: op.codes[0],
      errorCodes: op.codes.length > 1 ? [...new Set(op.codes)] : undefined,
      tokenId: conn.viewer?.tokenId,
    });
  }
}
