import { LocalKms } from '@dek/kms-adapter';
import { encryptFile, decryptFile, rewrapFile } from '@dek/stream';
import { rmSync } from 'node:fs';
const kms = new LocalKms();
const { keyMetadata } = await kms.createKey();
await encryptFile('/tmp/eng/big', '/tmp/eng/d.dek', { kms, keyId: keyMetadata.keyId, concurrency: 1 });
const r = { dec1: [], dec2: [], rw1: [], rw2: [] };
for (let i = 0; i < 3; i++) for (const c of [1, 2]) {
  rmSync('/tmp/eng/d.out', { force: true });
  let t = performance.now(); await decryptFile('/tmp/eng/d.dek', '/tmp/eng/d.out', { kms, concurrency: c }); r['dec' + c].push(Math.round(performance.now() - t));
  rmSync('/tmp/eng/d.rw', { force: true });
  t = performance.now(); await rewrapFile('/tmp/eng/d.dek', '/tmp/eng/d.rw', { kms, to: [{ keyId: keyMetadata.keyId }], concurrency: c }); r['rw' + c].push(Math.round(performance.now() - t));
}
console.log(JSON.stringify(r));
