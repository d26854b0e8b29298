/** The one polling loop of the test helpers: read an object until its phase is one of `phases`. */
export async function untilPhase<T extends { phase: string }>(what: string, read: () => Promise<T>, phases: string[], timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (phases.includes(last.phase)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not reach ${phases.join('|')} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}
