// What a standalone runtime needs to know about an ELF file, read through its
// program headers (present even in stripped files): the loader it asks for
// (PT_INTERP), its DT_NEEDED libraries, its RPATH/RUNPATH, and the glibc
// symbol versions it requires (DT_VERNEED). Also the one edit pyzap makes to
// a copied binary: pointing its RPATH/RUNPATH at the runtime's own lib/.
// Little-endian ELF32/ELF64 (System V gABI); anything else is "not ELF" here.

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
export const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
export const DT_RPATH = 15;
export const DT_RUNPATH = 29;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

export interface ElfInfo {
  machine: number;
  class64: boolean;
  interp: string | null;
  needed: string[];
  soname: string | null;
  /** The RPATH or RUNPATH entry, with where its string lives (for rewriting). */
  searchPath: { tag: typeof DT_RPATH | typeof DT_RUNPATH; value: string; dynOffset: number; strOffset: number } | null;
  /** Every (library, version) pair of DT_VERNEED, e.g. ["libc.so.6", "GLIBC_2.34"]. */
  versions: [string, string][];
}

interface Reader {
  u16(off: number): number;
  u32(off: number): number;
  word(off: number): number; // 32 or 64 bits (addresses, offsets, d_val)
  wordSize: number;
}

function reader(buf: Buffer, class64: boolean): Reader {
  return {
    u16: (off) => buf.readUInt16LE(off),
    u32: (off) => buf.readUInt32LE(off),
    word: class64 ? (off) => Number(buf.readBigUInt64LE(off)) : (off) => buf.readUInt32LE(off),
    wordSize: class64 ? 8 : 4,
  };
}

/** Parse the dynamic-linking facts of an ELF file; null if not a little-endian ELF. */
export function readElf(buf: Buffer): ElfInfo | null {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[5] !== 1) return null;
  const class64 = buf[4] === 2;
  const r = reader(buf, class64);
  const phoff = r.word(class64 ? 32 : 28);
  const phentsize = r.u16(class64 ? 54 : 42);
  const phnum = r.u16(class64 ? 56 : 44);
  const loads: { vaddr: number; offset: number; filesz: number }[] = [];
  let dynamic: { offset: number; size: number } | null = null;
  let interp: string | null = null;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + phentsize > buf.length) return null;
    const type = r.u32(p);
    const offset = class64 ? r.word(p + 8) : r.u32(p + 4);
    const vaddr = class64 ? r.word(p + 16) : r.u32(p + 8);
    const filesz = class64 ? r.word(p + 32) : r.u32(p + 16);
    if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
    else if (type === PT_DYNAMIC) dynamic = { offset, size: filesz };
    else if (type === PT_INTERP) interp = cstring(buf, offset);
  }
  const info: ElfInfo = { machine: r.u16(18), class64, interp, needed: [], soname: null, searchPath: null, versions: [] };
  if (!dynamic) return info;
  const toOffset = (vaddr: number) => {
    const seg = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz);
    return seg ? vaddr - seg.vaddr + seg.offset : -1;
  };
  const entries: [number, number, number][] = []; // tag, value, offset of the entry
  const size = 2 * r.wordSize;
  for (let p = dynamic.offset; p + size <= dynamic.offset + dynamic.size && p + size <= buf.length; p += size) {
    const tag = r.word(p);
    if (tag === 0) break;
    entries.push([tag, r.word(p + r.wordSize), p]);
  }
  const value = (tag: number) => entries.find((e) => e[0] === tag)?.[1];
  const strtab = toOffset(value(DT_STRTAB) ?? -1);
  if (strtab < 0) return info;
  const str = (off: number) => cstring(buf, strtab + off);
  for (const [tag, val, at] of entries) {
    if (tag === DT_NEEDED) info.needed.push(str(val));
    else if (tag === 14) info.soname = str(val);
    else if ((tag === DT_RPATH || tag === DT_RUNPATH) && (info.searchPath === null || tag === DT_RUNPATH)) {
      // With both, the loader ignores DT_RPATH.
      info.searchPath = { tag, value: str(val), dynOffset: at, strOffset: strtab + val };
    }
  }
  const verneed = toOffset(value(DT_VERNEED) ?? -1);
  const count = value(DT_VERNEEDNUM) ?? 0;
  const strsz = value(DT_STRSZ) ?? 0;
  for (let i = 0, p = verneed; verneed >= 0 && i < count && p + 16 <= buf.length; i++) {
    const file = str(r.u32(p + 4));
    for (let j = 0, a = p + r.u32(p + 8); j < r.u16(p + 2) && a + 16 <= buf.length; j++) {
      const name = r.u32(a + 8);
      if (name < strsz) info.versions.push([file, str(name)]);
      const next = r.u32(a + 12);
      if (next === 0) break;
      a += next;
    }
    const next = r.u32(p + 12);
    if (next === 0) break;
    p += next;
  }
  return info;
}

/**
 * Point the file's RPATH/RUNPATH at `value` in place (the string table keeps
 * its size: `value` must not be longer than the old string), optionally
 * turning a DT_RUNPATH into a DT_RPATH, which the loader also applies to the
 * libraries loaded on the file's behalf. Returns false when it cannot.
 */
export function rewriteSearchPath(buf: Buffer, value: string, asRpath: boolean): boolean {
  const info = readElf(buf);
  const sp = info?.searchPath;
  if (!info || !sp) return false;
  const old = Buffer.byteLength(sp.value);
  const next = Buffer.from(value);
  if (next.length > old) return false;
  next.copy(buf, sp.strOffset);
  buf.fill(0, sp.strOffset + next.length, sp.strOffset + old + 1);
  if (asRpath && sp.tag === DT_RUNPATH) {
    if (info.class64) buf.writeBigUInt64LE(BigInt(DT_RPATH), sp.dynOffset);
    else buf.writeUInt32LE(DT_RPATH, sp.dynOffset);
  }
  return true;
}

/** The newest GLIBC_X.Y among the versions required, as [X, Y], or null. */
export function glibcFloor(versions: [string, string][]): [number, number] | null {
  let best: [number, number] | null = null;
  for (const [, name] of versions) {
    const m = /^GLIBC_(\d+)\.(\d+)/.exec(name);
    if (!m) continue;
    const v: [number, number] = [Number(m[1]), Number(m[2])];
    if (!best || v[0] > best[0] || (v[0] === best[0] && v[1] > best[1])) best = v;
  }
  return best;
}

function cstring(buf: Buffer, off: number): string {
  if (off < 0 || off >= buf.length) return "";
  const end = buf.indexOf(0, off);
  return buf.toString("utf8", off, end < 0 ? buf.length : end);
}
