/**
 * The layers of `src/`: the envelope state machines, the key steps and the Web adapter run without
 * Node built-ins (what they import, transitively, never names `node:`); only `node/`, `file/` and
 * `threads/` may.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every module `entry` reaches through relative imports, and the `node:` modules among them. */
function reach(entry: string): { files: string[]; builtins: string[] } {
  const files = new Set<string>();
  const builtins: string[] = [];
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(join(src, file), 'utf8');
    for (const match of text.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith('node:')) builtins.push(`${file}: ${specifier}`);
      else if (specifier.startsWith('.')) stack.push(normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts'));
    }
  }
  return { files: [...files], builtins };
}

describe('source layout', () => {
  it('the Web adapter and the envelope layer reach no Node built-in', () => {
    for (const entry of ['web/web-streams.ts', 'envelope/encryptor.ts', 'envelope/decryptor.ts', 'envelope/rewrapper.ts']) {
      const { files, builtins } = reach(entry);
      expect(builtins, entry).toEqual([]);
      expect(files.filter((file) => /^(node|file|threads)\//.test(file)), entry).toEqual([]);
    }
  });

  it('the worker thread is a module of its own, reached by the file engine', () => {
    expect(reach('file/job.ts').files).toContain('threads/range-threads.ts');
    expect(reach('threads/range-worker.ts').files).toContain('file/range.ts');
  });
});
