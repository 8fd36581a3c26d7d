import { readSync, writevSync } from 'node:fs';
import { createEnvelopeEncryptor } from '@dek/stream';
import { openLocalKms } from '@dek/kms-adapter';
const kms = await openLocalKms({ home: process.env.DEK_HOME });
const encryptor = await createEnvelopeEncryptor({ kms, keyId: 'alias/default' });
const buffer = Buffer.allocUnsafe(1 << 20);
const emit = (parts) => { let rest = parts; while (rest.length > 0) { let n = writevSync(1, rest); const left = []; for (const p of rest) { if (n >= p.length) n -= p.length; else { left.push(p.subarray(n)); n = 0; } } rest = left; } };
for (;;) {
  const n = readSync(0, buffer, 0, buffer.length, null);
  if (n === 0) break;
  emit(encryptor.writeParts(buffer.subarray(0, n)));
}
emit(encryptor.end());
