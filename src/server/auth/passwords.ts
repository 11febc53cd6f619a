import { hash, verify } from '@node-rs/argon2';

/** argon2id with OWASP's baseline (19 MiB, 2 passes): about 25 ms here, per attempt. */
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

let decoy: Promise<string> | undefined;

/**
 * Whether the password matches. Without a stored hash (no such account, or one without a
 * password) a decoy hash is checked all the same, so the answer takes as long either way and
 * timing does not tell who has an account.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hashPassword('decoy password that matches nothing');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
