// Helpers of the drivers that run inside the extension host of the editor benchmarks (bundled into each driver).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** What the benchmarks use of the object Vouch's activate() returns. */
export interface VouchBenchApi {
  spansOf(uri: { toString(): string }): readonly unknown[];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`bench driver: timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Starts a CPU profile of this extension host (node's inspector); `stop` writes it to `file`.
 * `samplingIntervalUs`: V8's default is about 1 ms, which cannot see the 1 ms pauses between the
 * pieces of a large save, so back-to-back short tasks read as one long one.
 */
export async function startCpuProfile(options: { readonly samplingIntervalUs?: number } = {}): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  session.connect();
  await post('Profiler.enable');
  if (options.samplingIntervalUs !== undefined) await post('Profiler.setSamplingInterval', { interval: options.samplingIntervalUs });
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
