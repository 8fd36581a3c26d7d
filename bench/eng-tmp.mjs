import { LocalKms } from '@dek/kms-adapter';
import { encryptFile, decryptFile } from '@dek/stream';
const kms = new LocalKms();
const { keyMetadata } = await kms.createKey();
const [c, op] = [Number(process.argv[2]), process.argv[3]];
if (op === 'enc') await encryptFile('/tmp/eng/big', '/tmp/eng/e.out', { kms, keyId: keyMetadata.keyId, concurrency: c });
