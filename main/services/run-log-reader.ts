/**
 * Reading run logs back: for an adopted run (one a previous session of the app started), the
 * run log is the only source of its output and of how it ended. The agent appends to it itself
 * once our pipe is gone, so following the file gives its live output.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { type RunPhase, parseAgentEventLine } from '../../contract/index.ts';
import { type RunLogRecord, parseRunLogRecord } from '../../core/run-log.ts';
import type { Clock, TimerHandle } from './clock.ts';

export function runLogSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Runs `fn` on the open run log and its size, closing it after; null when the file cannot be
 * opened (not written yet, or gone).
 */
function withOpenLog<T>(path: string, fn: (fd: number, size: number) => T): T | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    return fn(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

const CHUNK = 1 << 20;

/**
 * The one forward reader of run-log lines: calls `each(line, byteOffset)` for every complete
 * line from `offset`, and returns where the last one ends (a line still being written is read
 * whole next time, from there) with the file's size; null when the file cannot be opened. An
 * offset past the end (the file was replaced) reads it again from the start.
 */
export function readRunLogLines(
  path: string,
  offset: number,
  each: (line: string, at: number) => void,
): { end: number; size: number } | null {
  return withOpenLog(path, (fd, size) => {
    let pos = offset > size ? 0 : offset;
    let carry = Buffer.alloc(0);
    let carryAt = pos;
    // Sized to what is new: a follower reads a few bytes five times a second.
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
    while (pos < size) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
      if (n <= 0) break;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      const base = carryAt;
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        if (nl > start) each(data.toString('utf8', start, nl), base + start);
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
      carryAt = base + start;
      pos += n;
    }
    return { end: carryAt, size };
  });
}

/** The records of the last `window` bytes before `upTo` (a cut first line is dropped). */
export function readRunLogTail(path: string, upTo: number, window = 512 * 1024): RunLogRecord[] {
  const from = Math.max(0, upTo - window);
  const text = withOpenLog(path, (fd) => {
    const buffer = Buffer.alloc(Math.max(0, upTo - from));
    readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  });
  if (text === null) return [];
  const lines = text.split('\n');
  if (from > 0) lines.shift();
  return lines.map(parseRunLogRecord).filter((r): r is RunLogRecord => r !== null);
}

/** Follows a run log from `offset`, handing each complete record to `onRecord`. */
export class RunLogFollower {
  private offset: number;
  private timer: TimerHandle | null = null;
  private readonly path: string;
  private readonly onRecord: (record: RunLogRecord) => void;
  private readonly clock: Clock;
  private readonly everyMs: number;

  constructor(
    path: string,
    offset: number,
    onRecord: (record: RunLogRecord) => void,
    clock: Clock,
    everyMs = 200,
  ) {
    this.path = path;
    this.clock = clock;
    this.everyMs = everyMs;
    this.offset = offset;
    this.onRecord = onRecord;
  }

  start(): void {
    const tick = () => {
      this.read();
      this.timer = this.clock.setTimer(this.everyMs, tick);
    };
    this.timer = this.clock.setTimer(this.everyMs, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Reads the complete records appended since the last read. */
  read(): void {
    const read = readRunLogLines(this.path, this.offset, (text) => {
      const record = parseRunLogRecord(text);
      if (record) this.onRecord(record);
    });
    if (read) this.offset = read.end;
  }
}

/**
 * Run-state phases an agent announces when it ends its run on purpose: all features pass,
 * ended with work left that it cannot do, or stopping on request.
 */
const CLEAN_END = new Set<string>(['complete', 'finished', 'stopping']);

export function isCleanEnd(phase: RunPhase | null): boolean {
  return phase !== null && CLEAN_END.has(phase);
}

/**
 * The last run-state phase recorded in a run log, reading backwards from its end in chunks
 * (a long run's log is large; the answer is almost always in the last few kilobytes).
 */
export function lastRunPhase(path: string, maxBytes = 8 * 1024 * 1024): RunPhase | null {
  return withOpenLog(path, (fd, size) => {
    const chunk = 64 * 1024;
    let end = size;
    // Bytes of a line cut by the chunk boundary, kept as bytes so a UTF-8 character is not split.
    let carry = Buffer.alloc(0);
    while (end > 0 && size - end < maxBytes) {
      const start = Math.max(0, end - chunk);
      const read = Buffer.alloc(end - start);
      readSync(fd, read, 0, read.length, start);
      let text = Buffer.concat([read, carry]);
      carry = Buffer.alloc(0);
      if (start > 0) {
        const nl = text.indexOf(0x0a);
        carry = nl < 0 ? text : text.subarray(0, nl);
        text = nl < 0 ? Buffer.alloc(0) : text.subarray(nl + 1);
      }
      const lines = text.toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const phase = runStatePhase(lines[i] as string);
        if (phase) return phase;
      }
      end = start;
    }
    return null;
  });
}

function runStatePhase(text: string): RunPhase | null {
  if (!text.includes('run-state')) return null;
  const record = parseRunLogRecord(text);
  const event = record ? parseAgentEventLine(record.line) : null;
  return event?.type === 'run-state' ? event.phase : null;
}
