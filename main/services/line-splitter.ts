import { StringDecoder } from 'node:string_decoder';

/**
 * Turns a byte stream into UTF-8 lines: multi-byte characters split across chunks survive,
 * invalid bytes become U+FFFD, CRLF and lone CR line ends are handled, and an over-long line is
 * cut so one runaway write cannot exhaust memory.
 */
export class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private pending = '';
  /** The previous chunk ended in CR: a LF starting this one completes that CRLF. */
  private afterCR = false;
  private readonly maxLine: number;
  private readonly emit: (line: string) => void;

  constructor(emit: (line: string) => void, maxLine = 64 * 1024) {
    this.emit = emit;
    this.maxLine = maxLine;
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let buffer = this.pending + text;
    if (buffer.length === 0) return;
    let start = 0;
    if (this.afterCR && this.pending === '' && buffer.charCodeAt(0) === 10) start = 1;
    this.afterCR = false;
    for (let i = start; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c === 10 || c === 13) {
        this.emit(buffer.slice(start, i));
        if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        else if (c === 13 && i === buffer.length - 1) this.afterCR = true;
        start = i + 1;
      }
    }
    buffer = buffer.slice(start);
    while (buffer.length > this.maxLine) {
      this.emit(buffer.slice(0, this.maxLine));
      buffer = buffer.slice(this.maxLine);
    }
    this.pending = buffer;
  }

  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest.length) this.emit(rest);
  }
}
