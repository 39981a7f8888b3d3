// Writes a bundle's zip after the launcher: entries are read and deflated
// ahead, several at once on libuv's threadpool (other cores), and written in
// the order given. Each entry's bytes depend only on its content and the
// level, never on which thread deflated it or when: the archive is the same
// byte for byte whatever the core count (test/zip-parallel.test.ts).
// archiver, used before, deflated one entry at a time on one core (pandas +
// scipy + numpy: 6.4 s of a 17.7 s build) and cannot take data deflated
// elsewhere, hence our own writer.
import { createReadStream, readFileSync, statSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { centralHeader, dosDateTime, endRecords, localHeader, U16_MAX, U32_MAX, type ZipRecord } from "./zipheaders.js";

export interface ZipInput {
  name: string;
  /** Content: a file on disk or bytes in memory. */
  file?: string;
  data?: Buffer;
  /** Kept STORED; otherwise deflated, unless deflating does not make it smaller. */
  store: boolean;
  mode: number;
}

export interface ZipOptions {
  /** zlib level, 1-9 (0: store everything). */
  level: number;
  date: Date;
  /** ZIP64 end records even when the classic record would do. */
  zip64: boolean;
  /** Entries deflated at the same time. */
  threads: number;
}

// Files up to this size are read whole and deflated ahead; bigger ones are
// streamed when their turn comes (memory stays bounded by this and AHEAD_BYTES).
const WHOLE_MAX = 64 << 20;
// Below this, deflating on the main thread costs less than a threadpool round trip.
const SYNC_MAX = 4 << 10;
// How far reading and deflating may run ahead of writing.
const AHEAD_ENTRIES = 512;
const AHEAD_BYTES = 128 << 20;
// Written in batches: one system call per few MiB, not per entry.
const FLUSH_BYTES = 4 << 20;
// Streamed entries this close to 4 GiB reserve ZIP64 sizes in their local header (deflate may grow data a little).
const ZIP64_MARGIN = 64 << 20;

const deflateRaw = promisify(zlib.deflateRaw);

type Prepared = { method: 0 | 8; crc: number; usize: number; body: Buffer } | { stream: string; usize: number };

/** Writes the zip of `entries` from byte `start` of `fh` (offsets relative to the zip's start). */
export async function writeZip(fh: FileHandle, start: number, entries: ZipInput[], options: ZipOptions): Promise<void> {
  const out = new BatchWriter(fh, start);
  const dosTime = dosDateTime(options.date);
  const sizes = entries.map(sizeOf);
  const slots = new Semaphore(Math.max(1, options.threads));
  const ready: (Promise<Prepared> | undefined)[] = [];
  const records: ZipRecord[] = [];
  let started = 0;
  let aheadBytes = 0;
  for (let i = 0; i < entries.length; i++) {
    // Start what fits in the window; the entry to write next always starts.
    while (started < entries.length && started - i < AHEAD_ENTRIES && (started === i || aheadBytes + sizes[started]! <= AHEAD_BYTES)) {
      aheadBytes += sizes[started]!;
      const job = prepare(entries[started]!, sizes[started]!, options.level, slots);
      job.catch(() => {}); // awaited in turn; an early failure must not go unhandled meanwhile
      ready[started++] = job;
    }
    const entry = entries[i]!;
    const prepared = await ready[i]!;
    ready[i] = undefined;
    aheadBytes -= sizes[i]!;
    const name = Buffer.from(entry.name, "utf8");
    const base = { name, offset: out.position, mode: entry.mode, dosDateTime: dosTime };
    if ("body" in prepared) {
      const record = { ...base, method: prepared.method, crc: prepared.crc, csize: prepared.body.length, usize: prepared.usize };
      out.push(localHeader(record, false), prepared.body);
      records.push(record);
      await out.drain();
    } else {
      records.push(await streamEntry(out, base, prepared, entry.store || options.level === 0 ? null : options.level));
    }
  }
  const cdOffset = out.position;
  for (const record of records) out.push(centralHeader(record));
  const cdSize = out.position - cdOffset;
  const zip64 = options.zip64 || records.length >= U16_MAX || cdOffset >= U32_MAX || cdSize >= U32_MAX;
  out.push(endRecords(records.length, cdOffset, cdSize, zip64));
  await out.flush();
}

function sizeOf(entry: ZipInput): number {
  if (entry.data) return entry.data.length;
  if (entry.file) return statSync(entry.file).size;
  throw new Error(`archive entry ${entry.name} has no content`);
}

/** Reads an entry and deflates it (on the threadpool unless small); big files are left to streamEntry. */
async function prepare(entry: ZipInput, size: number, level: number, slots: Semaphore): Promise<Prepared> {
  if (!entry.data && size > WHOLE_MAX) return { stream: entry.file ?? "", usize: size };
  const data = entry.data ?? readFileSync(entry.file ?? "");
  const crc = zlib.crc32(data);
  if (entry.store || level === 0 || data.length === 0) return { method: 0, crc, usize: data.length, body: data };
  let deflated: Buffer;
  if (data.length <= SYNC_MAX) {
    deflated = zlib.deflateRawSync(data, { level });
  } else {
    await slots.take();
    try {
      deflated = await deflateRaw(data, { level, chunkSize: outputChunk(data.length) });
    } finally {
      slots.give();
    }
  }
  // Already compressed data (wheels, .gz, .npz): stored, it is smaller and costs no inflate.
  return deflated.length < data.length ? { method: 8, crc, usize: data.length, body: deflated } : { method: 0, crc, usize: data.length, body: data };
}

/**
 * zlib's output buffer for `bytes` of input: about what deflate makes of it,
 * so a small file does not allocate (and the GC reclaim) a big buffer, and a
 * big one is not handed back in many small pieces. The deflated bytes are
 * the same whatever it is.
 */
function outputChunk(bytes: number): number {
  return Math.min(1 << 20, Math.max(16 << 10, 2 ** Math.ceil(Math.log2(bytes / 2))));
}

/** Writes a big file's entry while reading it, then fills in its local header. */
async function streamEntry(out: BatchWriter, base: Omit<ZipRecord, "method" | "crc" | "csize" | "usize">, prepared: { stream: string; usize: number }, level: number | null): Promise<ZipRecord> {
  const reserveZip64 = prepared.usize >= U32_MAX - ZIP64_MARGIN;
  const record: ZipRecord = { ...base, method: level === null ? 0 : 8, crc: 0, csize: 0, usize: 0 };
  const header = localHeader(record, reserveZip64);
  out.push(header);
  await out.flush();
  const count = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      record.crc = zlib.crc32(chunk, record.crc);
      record.usize += chunk.length;
      yield chunk;
    }
  };
  const write = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      await out.writeNow(chunk);
      record.csize += chunk.length;
    }
  };
  const read = createReadStream(prepared.stream, { highWaterMark: 1 << 20 });
  if (level === null) await pipeline(read, count, write);
  else await pipeline(read, count, zlib.createDeflateRaw({ level, chunkSize: 1 << 20 }), write);
  if (!reserveZip64 && (record.usize >= U32_MAX || record.csize >= U32_MAX)) {
    throw new Error(`${base.name.toString()} grew past 4 GiB while it was written`);
  }
  const filled = localHeader(record, reserveZip64);
  await out.writeAt(filled, record.offset);
  return record;
}

/** Appends to the file from a position, a few MiB per write. */
class BatchWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written: number;
  constructor(
    private readonly fh: FileHandle,
    private readonly start: number,
  ) {
    this.written = start;
  }

  /** Where the next byte lands, relative to the zip's start. */
  get position(): number {
    return this.written + this.pendingBytes - this.start;
  }

  push(...buffers: Buffer[]): void {
    for (const b of buffers) {
      this.pending.push(b);
      this.pendingBytes += b.length;
    }
    if (this.pendingBytes >= FLUSH_BYTES) this.flushLater();
  }

  /** Waits while too many written bytes are still queued (keeps memory bounded). */
  async drain(): Promise<void> {
    if (this.queuedBytes > AHEAD_BYTES) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private queuedBytes = 0;

  // Writes happen in order on the threadpool while the next entries are prepared.
  private flushLater(): void {
    const batch = Buffer.concat(this.pending);
    const at = this.written;
    this.pending = [];
    this.written += batch.length;
    this.pendingBytes = 0;
    this.queuedBytes += batch.length;
    this.flushing = this.flushing
      .then(() => this.writeAll(batch, at))
      .catch((error: unknown) => void (this.failure ??= error))
      .finally(() => void (this.queuedBytes -= batch.length));
  }

  async flush(): Promise<void> {
    if (this.pendingBytes > 0) this.flushLater();
    await this.flushing;
    if (this.failure) throw this.failure;
  }

  async writeNow(chunk: Buffer): Promise<void> {
    await this.flush();
    await this.writeAll(chunk, this.written);
    this.written += chunk.length;
  }

  async writeAt(chunk: Buffer, zipOffset: number): Promise<void> {
    await this.flush();
    await this.writeAll(chunk, this.start + zipOffset);
  }

  private async writeAll(buf: Buffer, at: number): Promise<void> {
    for (let done = 0; done < buf.length; ) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, at + done);
      if (bytesWritten <= 0) throw new Error("write made no progress");
      done += bytesWritten;
    }
  }
}

/** At most `count` holders at a time. */
class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
