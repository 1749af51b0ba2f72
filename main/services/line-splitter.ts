import { StringDecoder } from 'node:string_decoder';

/**
 * Turns a byte stream into UTF-8 lines: multi-byte characters split across chunks survive,
 * invalid bytes become U+FFFD, CRLF and lone CR line ends are handled, and an over-long line is
 * cut so one runaway write cannot exhaust memory.
 */
export class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private pending = '';
  private readonly maxLine: number;
  private readonly emit: (line: string) => void;

  constructor(emit: (line: string) => void, maxLine = 64 * 1024) {
    this.emit = emit;
    this.maxLine = maxLine;
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let buffer = this.pending + text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c === 10 || c === 13) {
        this.emit(buffer.slice(start, i));
        if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
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
