/**
 * Nightshift's own diagnostics: a rotating log file in the data directory
 * (`nightshift.log`, rolled to `.1`…`.3` at 1 MiB), also echoed to stderr when asked.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../../contract/index.ts';
import { redact } from '../../core/redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Diagnostics {
  log(level: LogLevel, message: string, error?: unknown): void;
  readonly path: string | null;
}

export function createDiagnostics(
  dataDir: string | null,
  options: { echo?: boolean; maxBytes?: number; keep?: number } = {},
): Diagnostics {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const keep = options.keep ?? 3;
  const path = dataDir ? join(dataDir, 'logs', 'nightshift.log') : null;
  try {
    if (path) mkdirSync(join(dataDir as string, 'logs'), { recursive: true });
  } catch {
    // A read-only or full data folder: logging below fails quietly; the app still starts.
  }

  function rotate(file: string): void {
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    }
    renameSync(file, `${file}.1`);
  }

  return {
    path,
    log(level, message, error) {
      const detail =
        error === undefined
          ? ''
          : ` — ${error instanceof Error ? (error.stack ?? error.message) : messageOf(error)}`;
      const line = redact(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${detail}`);
      if (options.echo && level !== 'debug') process.stderr.write(`${line}\n`);
      if (!path) return;
      try {
        if (existsSync(path) && statSync(path).size > maxBytes) rotate(path);
        appendFileSync(path, `${line}\n`);
      } catch {
        // Diagnostics must never take the app down.
      }
    },
  };
}
