/**
 * Everything the agent says: typed events (one JSON line each, from the contract) and plain
 * lines for people. Both go to stdout. When stdout breaks (EPIPE: the app that started us quit
 * and left us running), output switches to appending run-log records to NIGHTSHIFT_RUN_LOG, so
 * an app that adopts this agent later still sees everything; the agent never dies of it.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatAgentEventLine, type AgentEventInput } from '../contract/agent-events.ts';
import { formatRunLogRecord } from '../core/run-log.ts';
import { redact } from '../core/redact.ts';

export interface OutputOptions {
  runLogPath: string | null;
  /** Secret values to scrub from every line (provider keys from the environment). */
  secrets: string[];
  stdout?: NodeJS.WriteStream | NodeJS.WritableStream;
}

export class AgentOutput {
  private readonly runLogPath: string | null;
  private readonly secrets: string[];
  private readonly stdout: NodeJS.WritableStream;
  private piped = true;

  constructor(options: OutputOptions) {
    this.runLogPath = options.runLogPath;
    this.secrets = options.secrets.filter((s) => s.length >= 6);
    this.stdout = options.stdout ?? process.stdout;
    this.stdout.on('error', () => this.switchToFile());
  }

  /** True once stdout has failed and lines go to the run log file. */
  get detached(): boolean {
    return !this.piped;
  }

  event(event: AgentEventInput): void {
    this.write(formatAgentEventLine(this.scrubEvent(event)));
  }

  line(text: string): void {
    for (const part of text.split(/\r?\n/)) this.write(redact(part, this.secrets));
  }

  private scrubEvent(event: AgentEventInput): AgentEventInput {
    const out: Record<string, unknown> = { ...event };
    for (const key of ['message', 'summary', 'prompt', 'featureName'] as const) {
      const value = out[key];
      if (typeof value === 'string') out[key] = redact(value, this.secrets);
    }
    return out as AgentEventInput;
  }

  private switchToFile(): void {
    this.piped = false;
  }

  private write(line: string): void {
    if (this.piped) {
      try {
        const s = this.stdout as NodeJS.WriteStream;
        if (s.destroyed || s.writableEnded) throw new Error('stdout closed');
        this.stdout.write(`${line}\n`);
        return;
      } catch {
        this.piped = false;
      }
    }
    if (!this.runLogPath) return;
    try {
      mkdirSync(dirname(this.runLogPath), { recursive: true });
      appendFileSync(this.runLogPath, formatRunLogRecord(redact(line, this.secrets)));
    } catch {
      // Nowhere left to write; keep working.
    }
  }
}
