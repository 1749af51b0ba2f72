/**
 * A shell-word parser for the Bash guard: turns a command line into the simple commands it
 * would run, including those inside `$(...)`, backticks, `<(...)`, subshells, `[[ ]]`-free
 * lists and here-documents. Invariants:
 * - Every command that bash would execute appears in the output (nested ones before the command
 *   whose words contain them, since they run first).
 * - A word's `value` is what bash would see after quote removal, with $HOME/$PWD expanded from
 *   the given variables; any other expansion marks the word `dynamic` (its value is unknown).
 * - Anything the parser does not understand is an error, never a guess: the guard refuses it.
 * It never executes anything.
 */

export interface Word {
  /** The word after quote removal (known variables expanded). */
  value: string;
  /** Contains an expansion whose value is unknown ($VAR, $(...), `...`, $((...))). */
  dynamic: boolean;
  /** Contains unquoted glob or brace characters (* ? [ {). */
  glob: boolean;
  /** Starts with an unquoted ~ (tilde expansion). */
  tilde: boolean;
  /** Any part of it was quoted. */
  quoted: boolean;
}

export interface Redirect {
  op: string;
  target: Word | null;
}

export interface SimpleCommand {
  /** Runs in a subshell ( ), $( ), backticks, <( ): a cd there does not change the caller's folder. */
  subshell: boolean;
  assignments: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

export type ParseResult = { ok: true; commands: SimpleCommand[] } | { ok: false; reason: string };

const MAX_DEPTH = 24;
const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;

class ParseError extends Error {}

interface Heredoc {
  delimiter: string;
  stripTabs: boolean;
  expands: boolean;
}

class Parser {
  private i = 0;
  private pendingHeredocs: Heredoc[] = [];
  /** How many ( ) subshells of this parser's own input enclose the current position. */
  private sub = 0;

  private readonly src: string;
  private readonly vars: Readonly<Record<string, string>>;
  private readonly out: SimpleCommand[];
  private readonly depth: number;

  constructor(
    src: string,
    vars: Readonly<Record<string, string>>,
    out: SimpleCommand[],
    depth: number,
  ) {
    this.src = src;
    this.vars = vars;
    this.out = out;
    this.depth = depth;
    if (depth > MAX_DEPTH) throw new ParseError('The command nests too deeply.');
  }

  private peek(offset = 0): string {
    return this.src[this.i + offset] ?? '';
  }

  private nested(src: string): void {
    new Parser(src, this.vars, this.out, this.depth + 1).parseList(null);
  }

  /** Parses commands until `end` (')' consumed) or the end of input (end = null). */
  parseList(end: ')' | null): void {
    const fresh = (): SimpleCommand => ({
      subshell: this.sub > 0 || this.depth > 0,
      assignments: [],
      words: [],
      redirects: [],
    });
    let cur = fresh();
    const finish = (): void => {
      if (cur.words.length || cur.assignments.length || cur.redirects.length) this.out.push(cur);
      cur = fresh();
    };
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') {
        this.i++;
        continue;
      }
      if (c === '\\' && this.peek(1) === '\n') {
        this.i += 2;
        continue;
      }
      if (c === '') {
        if (end) throw new ParseError('unbalanced brackets');
        if (this.pendingHeredocs.length) throw new ParseError('a here-document has no body');
        finish();
        return;
      }
      if (c === ')') {
        if (end !== ')') throw new ParseError('unbalanced brackets');
        this.i++;
        finish();
        return;
      }
      if (c === '#') {
        while (this.i < this.src.length && this.peek() !== '\n') this.i++;
        continue;
      }
      if (c === '\n') {
        this.i++;
        finish();
        this.readHeredocBodies();
        continue;
      }
      if (c === ';') {
        if (this.peek(1) === ';' || this.peek(1) === '&')
          throw new ParseError('case statements are not supported');
        this.i++;
        finish();
        continue;
      }
      if (c === '&' && this.peek(1) === '>') {
        this.i += this.peek(2) === '>' ? 3 : 2;
        cur.redirects.push({ op: '&>', target: this.readRedirectTarget() });
        continue;
      }
      if (c === '&' || c === '|') {
        this.i += this.peek(1) === c || (c === '|' && this.peek(1) === '&') ? 2 : 1;
        finish();
        continue;
      }
      if (c === '(') {
        if (cur.words.length === 0 && cur.assignments.length === 0 && this.peek(1) === '(') {
          this.i += 2;
          cur.words.push(this.readArithmetic('(('));
          continue;
        }
        if (cur.words.length === 0 && cur.assignments.length === 0) {
          this.i++;
          this.sub++;
          this.parseList(')');
          this.sub--;
          continue;
        }
        if (cur.words.length === 1 && /^\(\s*\)/.test(this.src.slice(this.i))) {
          // `name () { ...; }`: a function definition; its body is parsed as commands.
          this.i = this.src.indexOf(')', this.i) + 1;
          cur = fresh();
          continue;
        }
        throw new ParseError('unexpected (');
      }
      const procSubst = (c === '<' || c === '>') && this.peek(1) === '(';
      const redirect = procSubst ? null : this.tryRedirect();
      if (redirect) {
        cur.redirects.push(redirect);
        continue;
      }
      const start = this.i;
      const word = this.readWord();
      if (cur.words.length === 0) {
        const m = ASSIGNMENT.exec(this.src.slice(start, this.i));
        if (m) {
          const valueWord = this.reparseAssignmentValue(start + m[0].length, this.i);
          cur.assignments.push({ name: m[1]!, value: valueWord });
          continue;
        }
      }
      cur.words.push(word);
      if (cur.words.length === 1 && !word.quoted && word.value === 'case')
        throw new ParseError('case statements are not supported');
      if (cur.words.length === 1 && word.value === '[[' && !word.quoted)
        this.readDoubleBracket(cur);
    }
  }

  /** `[[ ... ]]`: operators inside are words, not list separators or redirections. */
  private readDoubleBracket(cur: SimpleCommand): void {
    for (;;) {
      while (this.peek() === ' ' || this.peek() === '\t') this.i++;
      const c = this.peek();
      if (c === '' || c === '\n') throw new ParseError('unterminated [[');
      if ('&|<>()'.includes(c)) {
        let op = c;
        this.i++;
        if ((c === '&' || c === '|') && this.peek() === c) {
          op += c;
          this.i++;
        }
        cur.words.push({ value: op, dynamic: false, glob: false, tilde: false, quoted: false });
        continue;
      }
      const w = this.readWord();
      cur.words.push(w);
      if (w.value === ']]' && !w.quoted) return;
    }
  }

  /** The value part of `NAME=value` as its own word (its substitutions were recorded already). */
  private reparseAssignmentValue(from: number, to: number): Word {
    if (from === to) return { value: '', dynamic: false, glob: false, tilde: false, quoted: false };
    const scratch: SimpleCommand[] = [];
    return new Parser(this.src.slice(from, to), this.vars, scratch, this.depth + 1).readWord(true);
  }

  private tryRedirect(): Redirect | null {
    const m = /^(\d*)(<<<|<<-|<<|>>|>&|<&|<>|>\||>|<)/.exec(this.src.slice(this.i));
    if (!m) return null;
    // Digits are an fd only when the operator follows at once (`2>x`); `12 > x` starts a word.
    this.i += m[0].length;
    const op = m[2]!;
    if (op === '<<' || op === '<<-') {
      while (this.peek() === ' ' || this.peek() === '\t') this.i++;
      const rawStart = this.i;
      const delim = this.readWord();
      const raw = this.src.slice(rawStart, this.i);
      this.pendingHeredocs.push({
        delimiter: delim.value,
        stripTabs: op === '<<-',
        expands: !/['"\\]/.test(raw),
      });
      return { op, target: null };
    }
    return { op, target: this.readRedirectTarget() };
  }

  private readRedirectTarget(): Word {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
    const c = this.peek();
    if (c === '' || META.has(c)) throw new ParseError('a redirection has no target');
    return this.readWord();
  }

  private readHeredocBodies(): void {
    for (const doc of this.pendingHeredocs) {
      for (;;) {
        if (this.i >= this.src.length) throw new ParseError('a here-document is not terminated');
        let nl = this.src.indexOf('\n', this.i);
        if (nl < 0) nl = this.src.length;
        const line = this.src.slice(this.i, nl);
        this.i = Math.min(nl + 1, this.src.length);
        const bare = doc.stripTabs ? line.replace(/^\t+/, '') : line;
        if (bare === doc.delimiter) break;
        if (doc.expands) this.scanExpansions(line);
      }
    }
    this.pendingHeredocs = [];
  }

  /** Records the command substitutions in text that expands like a double-quoted string. */
  private scanExpansions(text: string): void {
    const p = new Parser(text, this.vars, this.out, this.depth + 1);
    p.readDoubleQuotedBody(null);
  }

  private readArithmetic(open: '((' | '$(('): Word {
    // Reads to the matching `))`; command substitutions inside are not supported.
    let depth = 0;
    const start = this.i;
    while (this.i < this.src.length) {
      const c = this.peek();
      if (c === '`' || (c === '$' && this.peek(1) === '('))
        throw new ParseError('command substitution inside arithmetic is not supported');
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0 && this.peek(1) === ')') {
          this.i += 2;
          return {
            value: `${open}${this.src.slice(start, this.i - 2)}))`,
            dynamic: open === '$((',
            glob: false,
            tilde: false,
            quoted: false,
          };
        }
        depth--;
      }
      this.i++;
    }
    throw new ParseError('unbalanced brackets');
  }

  /** Reads one word; `toEnd` reads the whole remaining input as one word (assignment values). */
  readWord(toEnd = false): Word {
    const w: Word = { value: '', dynamic: false, glob: false, tilde: false, quoted: false };
    const start = this.i;
    if (this.peek() === '~') w.tilde = true;
    while (this.i < this.src.length) {
      const c = this.peek();
      if (!toEnd && META.has(c)) {
        // `<(` / `>(` process substitution inside a word.
        if ((c === '<' || c === '>') && this.peek(1) === '(' && this.i === start) {
          this.i += 2;
          this.parseNestedUntilParen();
          w.dynamic = true;
          continue;
        }
        break;
      }
      if (c === '\\') {
        const n = this.peek(1);
        this.i += 2;
        if (n !== '\n') w.value += n;
        w.quoted = true;
        continue;
      }
      if (c === "'") {
        const close = this.src.indexOf("'", this.i + 1);
        if (close < 0) throw new ParseError('unbalanced quotes');
        w.value += this.src.slice(this.i + 1, close);
        w.quoted = true;
        this.i = close + 1;
        continue;
      }
      if (c === '$' && this.peek(1) === "'") {
        this.i += 2;
        w.value += this.readAnsiC();
        w.quoted = true;
        continue;
      }
      if (c === '"') {
        this.i++;
        this.readDoubleQuotedBody(w);
        w.quoted = true;
        continue;
      }
      if (c === '$' || c === '`') {
        this.readExpansion(w);
        continue;
      }
      if ('*?[{'.includes(c)) w.glob = true;
      w.value += c;
      this.i++;
    }
    return w;
  }

  private readAnsiC(): string {
    let out = '';
    while (this.i < this.src.length) {
      const c = this.peek();
      if (c === "'") {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const n = this.peek(1);
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'" };
        if (n in map) {
          out += map[n];
          this.i += 2;
          continue;
        }
        // Octal, hex and unicode escapes can spell any name: treat the word as unknown.
        throw new ParseError("$'...' escapes other than \\n \\t \\r are not supported");
      }
      out += c;
      this.i++;
    }
    throw new ParseError('unbalanced quotes');
  }

  /** Inside "...": reads to the closing quote (w null: to the end of input, for here-documents). */
  readDoubleQuotedBody(w: Word | null): void {
    const sink: Word = w ?? { value: '', dynamic: false, glob: false, tilde: false, quoted: true };
    while (this.i < this.src.length) {
      const c = this.peek();
      if (c === '"' && w) {
        this.i++;
        return;
      }
      if (c === '\\') {
        const n = this.peek(1);
        if ('$`"\\\n'.includes(n) && n !== '') {
          if (n !== '\n') sink.value += n;
          this.i += 2;
        } else {
          sink.value += c;
          this.i++;
        }
        continue;
      }
      if (c === '$' || c === '`') {
        this.readExpansion(sink);
        continue;
      }
      sink.value += c;
      this.i++;
    }
    if (w) throw new ParseError('unbalanced quotes');
  }

  private readExpansion(w: Word): void {
    const c = this.peek();
    if (c === '`') {
      this.i++;
      let body = '';
      while (this.i < this.src.length && this.peek() !== '`') {
        if (this.peek() === '\\' && '$`\\'.includes(this.peek(1))) {
          body += this.peek(1);
          this.i += 2;
        } else {
          body += this.peek();
          this.i++;
        }
      }
      if (this.peek() !== '`') throw new ParseError('unbalanced backticks');
      this.i++;
      this.nested(body);
      w.dynamic = true;
      return;
    }
    // c === '$'
    const n = this.peek(1);
    if (n === '(' && this.peek(2) === '(') {
      this.i += 3;
      this.readArithmetic('$((');
      w.dynamic = true;
      return;
    }
    if (n === '(') {
      this.i += 2;
      this.parseNestedUntilParen();
      w.dynamic = true;
      return;
    }
    if (n === '{') {
      const close = this.src.indexOf('}', this.i + 2);
      if (close < 0) throw new ParseError('unbalanced braces');
      const inner = this.src.slice(this.i + 2, close);
      if (inner.includes('$(') || inner.includes('`'))
        throw new ParseError('command substitution inside ${...} is not supported');
      this.i = close + 1;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) && inner in this.vars) w.value += this.vars[inner];
      else {
        w.value += `\${${inner}}`;
        w.dynamic = true;
      }
      return;
    }
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(this.src.slice(this.i));
    if (m) {
      this.i += m[0].length;
      const name = m[1]!;
      if (name in this.vars) w.value += this.vars[name];
      else {
        w.value += m[0];
        w.dynamic = true;
      }
      return;
    }
    w.value += '$';
    this.i++;
  }

  private parseNestedUntilParen(): void {
    const p = new Parser(this.src, this.vars, this.out, this.depth + 1);
    p.i = this.i;
    p.parseList(')');
    this.i = p.i;
  }
}

/**
 * Parses a command line. `vars` are the variables whose value is known (HOME, PWD): they are
 * expanded; every other expansion leaves its word `dynamic`.
 */
export function parseShell(
  source: string,
  vars: Readonly<Record<string, string>> = {},
): ParseResult {
  const out: SimpleCommand[] = [];
  try {
    new Parser(source, vars, out, 0).parseList(null);
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, commands: out };
}
