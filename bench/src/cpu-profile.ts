/**
 * Where the time goes: reads the `.cpuprofile` files `node --cpu-prof` wrote (one per thread) and
 * sums self time by category (crypto, I/O, streams, dek code, module loading, GC, idle, ...) and
 * by function.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of V8's CPU profile format used here. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A share of the profiled time. */
export interface ProfileShare {
  readonly name: string;
  readonly ms: number;
  /** Fraction of all sampled time (0..1). */
  readonly share: number;
}

/** Summary of one profiled run. */
export interface ProfileSummary {
  /** Profiles read (one per thread: the main thread and each worker). */
  readonly threads: number;
  /** Sampled time over all threads, in ms. */
  readonly totalMs: number;
  readonly categories: readonly ProfileShare[];
  readonly topFunctions: readonly ProfileShare[];
}

/** Category of V8's pseudo-frames, by name. */
const PSEUDO_FRAMES: Readonly<Record<string, string>> = {
  '(garbage collector)': 'GC',
  '(idle)': 'idle (waiting for I/O or workers)',
  '(program)': 'program (V8 and native code outside JavaScript)',
  '(root)': 'other',
};

/** Category of a frame's script, from its URL (first match wins). */
const URL_CATEGORIES: readonly (readonly [RegExp, string])[] = [
  [/^node:(internal\/)?crypto|@noble/, 'crypto'],
  [/^node:(internal\/)?(fs|net|tty|pipe|stream_base_commons|child_process|worker)/, 'I/O, fs and threads'],
  [/^node:(internal\/)?(streams?|webstreams)\b/, 'Node streams'],
  [/^node:(internal\/)?(modules|vm)\b|^node:internal\/(main|bootstrap)/, 'module loading'],
  [/\/packages\//, 'dek code (with what its bundle holds)'],
  [/^node:/, 'other Node internals'],
];

function shortUrl(url: string): string {
  const inPackage = /\/packages\/(.*)$/.exec(url) ?? /\/node_modules\/(?!\.pnpm)(.*)$/.exec(url);
  return inPackage ? inPackage[1]! : url;
}

/** Reads every `.cpuprofile` in `dir` and summarizes self time; `top` functions are listed. */
export async function summarizeProfiles(dir: string, top = 10): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    // A sample stands for the time until the next one.
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
    for (const [id, us] of self) {
      const frame = nodes.get(id)!.callFrame;
      total += us;
      // Native functions have no URL: they count for the nearest caller that has one.
      let category = PSEUDO_FRAMES[frame.functionName];
      for (let at: number | undefined = id; category === undefined && at !== undefined; at = parent.get(at)) {
        const url = nodes.get(at)!.callFrame.url;
        if (url !== '') category = URL_CATEGORIES.find(([pattern]) => pattern.test(url))?.[1] ?? 'other (dependencies)';
      }
      category ??= 'other';
      byCategory.set(category, (byCategory.get(category) ?? 0) + us);
      const where = frame.url === '' ? 'native' : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      const name = `${frame.functionName || '(anonymous)'} (${where})`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    }
  }
  const shares = (map: Map<string, number>): ProfileShare[] =>
    [...map].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 }));
  return { threads: files.length, totalMs: total / 1000, categories: shares(byCategory), topFunctions: shares(byFunction).slice(0, top) };
}
