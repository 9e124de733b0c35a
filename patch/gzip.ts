/**
 * gzip'd patch files (`*.mbox.gz` as lore serves threads): detected by their magic bytes and
 * inflated with fflate, a pure JavaScript inflater that runs in the web extension as in Node.
 * The output is bounded: inflation stops as soon as it passes `maxBytes`, so a small "zip bomb"
 * cannot make us hold gigabytes.
 */
import { Gunzip } from "fflate";

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
}

export type GunzipResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/** Input is fed in chunks of this size so that the output limit is checked between them. */
const CHUNK = 64 * 1024;

/** Inflate gzip data (all members), refusing output over `maxBytes` and corrupt input. */
export function gunzipBounded(data: Uint8Array, maxBytes: number): GunzipResult {
  // RFC 1952 ends a member with ISIZE, its inflated size mod 2^32: an honest bomb is refused
  // without inflating anything. A forged or wrapped ISIZE still meets the bounded inflation below.
  const isize = gzipTrailerSize(data);
  if (isize !== undefined && isize > maxBytes) return { ok: false, reason: `gzip data inflates to more than the ${maxBytes}-byte limit` };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const inflater = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > maxBytes) over = true;
    else chunks.push(chunk);
  });
  try {
    for (let i = 0; i < data.length && !over; i += CHUNK)
      inflater.push(data.subarray(i, Math.min(data.length, i + CHUNK)), i + CHUNK >= data.length);
  } catch (e) {
    return { ok: false, reason: `corrupt gzip data (${(e as Error).message})` };
  }
  if (over) return { ok: false, reason: `gzip data inflates to more than the ${maxBytes}-byte limit` };
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return { ok: true, bytes: out };
}

/** The last member's ISIZE (little-endian, the final 4 bytes), or undefined if too short. */
function gzipTrailerSize(data: Uint8Array): number | undefined {
  const n = data.length;
  if (n < 18) return undefined;
  return (data[n - 4]! | (data[n - 3]! << 8) | (data[n - 2]! << 16) | (data[n - 1]! << 24)) >>> 0;
}
