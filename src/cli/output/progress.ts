/**
 * Showing a deployment's events as they come: on a terminal, an overall bar and one bar per step
 * (cli-progress), each step's bar filling when the step succeeds and its status saying what it
 * waits for; elsewhere (a pipe, a CI log) one line per event; with --output json one JSON object per
 * event.
 */
import cliProgress from 'cli-progress';
import type { DeploymentEvent } from '../api/types.js';
import type { Output } from './output.js';

export interface ProgressView {
  event(e: DeploymentEvent): void;
  /** a note between events (e.g. "resuming after a disconnect") */
  note(text: string): void;
  stop(): void;
}

export function stepLabel(e: Pick<DeploymentEvent, 'stepIndex' | 'stepCount'>): string {
  return e.stepIndex !== null && e.stepCount && e.stepIndex < e.stepCount ? `step ${e.stepIndex + 1}/${e.stepCount}` : '';
}

export function eventLine(e: DeploymentEvent): string {
  return `#${String(e.seq).padStart(3)} ${e.phase.padEnd(12)} ${stepLabel(e).padEnd(10)} ${String(e.percent).padStart(3)}%  ${e.message}`;
}

class LineView implements ProgressView {
  constructor(private readonly out: Output) {}
  event(e: DeploymentEvent): void {
    if (this.out.json) this.out.jsonLine({ event: e });
    else this.out.raw(eventLine(e) + '\n');
  }
  note(text: string): void {
    this.out.note(text);
  }
  stop(): void {}
}

const STEP_TITLE = /^Step \d+\/\d+: (.*)$/;
const TITLE_WIDTH = 34;
const pad = (title: string) => (title.length > TITLE_WIDTH ? title.slice(0, TITLE_WIDTH - 1) + '…' : title.padEnd(TITLE_WIDTH));

class BarsView implements ProgressView {
  private readonly multi: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly steps = new Map<number, cliProgress.SingleBar>();

  constructor(stream: NodeJS.WriteStream) {
    this.multi = new cliProgress.MultiBar(
      { format: '{title} {bar} {percentage}%  {status}', barsize: 20, hideCursor: true, clearOnComplete: false, stopOnComplete: false, autopadding: true, stream },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multi.create(100, 0, { title: pad('deployment'), status: '' });
  }

  private bar(index: number, title: string | null): cliProgress.SingleBar {
    const label = pad(`${index + 1}. ${title ?? ''}`);
    let bar = this.steps.get(index);
    if (!bar) {
      bar = this.multi.create(100, 0, { title: label, status: 'running' });
      this.steps.set(index, bar);
    } else if (title) bar.update({ title: label });
    return bar;
  }

  event(e: DeploymentEvent): void {
    this.overall.update(e.percent, { status: e.phase });
    if (e.stepIndex === null || !e.stepCount || e.stepIndex >= e.stepCount) return;
    // every step before the current one is done
    for (const [i, bar] of this.steps) if (i < e.stepIndex) bar.update(100, { status: 'done' });
    // the step's title comes with its STEP_STARTED event ("Step 2/4: Place the deployment ...")
    const bar = this.bar(e.stepIndex, STEP_TITLE.exec(e.message)?.[1] ?? (this.steps.has(e.stepIndex) ? null : e.step));
    if (e.type === 'STEP_SUCCEEDED') bar.update(100, { status: 'done' });
    else if (e.type === 'STEP_FAILED') bar.update({ status: `FAILED: ${e.message}` });
    else if (e.type === 'STEP_WAITING') bar.update({ status: `waiting: ${e.message}` });
    else if (e.type !== 'STEP_STARTED') bar.update({ status: e.message });
  }

  note(text: string): void {
    this.multi.log(text + '\n');
  }

  stop(): void {
    this.multi.stop();
  }
}

/** Bars on a terminal (unless JSON output), lines otherwise. */
export function progressView(out: Output, tty: NodeJS.WriteStream | null): ProgressView {
  return tty && !out.json ? new BarsView(tty) : new LineView(out);
}
