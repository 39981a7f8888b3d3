// XXH64 (seed 0) as 16 lowercase hex digits: the per-file hashes the launcher
// verifies and the cache key (docs/format.md, "The key").
import { createReadStream } from "node:fs";
import xxhash from "xxhash-wasm";

type Hasher = Awaited<ReturnType<typeof xxhash>>;
let hasher: Promise<Hasher> | undefined;

function getHasher(): Promise<Hasher> {
  hasher ??= xxhash();
  return hasher;
}

function hex(value: bigint): string {
  return value.toString(16).padStart(16, "0");
}

export async function hashFile(file: string): Promise<string> {
  const { create64 } = await getHasher();
  const state = create64(0n);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    state.update(chunk as Buffer);
  }
  return hex(state.digest());
}

export async function hashBytes(data: Uint8Array): Promise<string> {
  const { h64Raw } = await getHasher();
  return hex(h64Raw(data, 0n));
}

/** The cache key of an entry, from the cfg's `f` lines (each ending in "\n"). */
export async function cacheKey(fileLines: string[]): Promise<string> {
  return hashBytes(Buffer.from(`pyzap-entry 1\n${fileLines.join("")}`, "utf8"));
}

/** The same key from f lines as read back (bytes, without their newlines). */
export async function cacheKeyOfLines(lines: Buffer[]): Promise<string> {
  return hashBytes(Buffer.concat([Buffer.from("pyzap-entry 1\n"), ...lines.flatMap((l) => [l, Buffer.from("\n")])]));
}
