import { createHash } from 'node:crypto';

// Apart from git.ts, which runs git: a policy's modules may hash what git would store, not run it.

/** The git object id of a blob of these bytes: sha1, or sha256 when `like` (an id of the repository) has 64 digits. */
export function blobId(bytes: Uint8Array, like = '0'.repeat(40)): string {
  return createHash(like.length === 64 ? 'sha256' : 'sha1')
    .update(`blob ${bytes.length}\0`)
    .update(bytes)
    .digest('hex');
}
