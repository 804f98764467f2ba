// `$filter` lexer and recursive-descent parser for the subset the stand-in evaluates: comparison
// operators, and/or/not, parentheses, and literals. Any other OData construct is named and rejected
// (501) instead of being guessed. Precedence follows OData 4: not > relational > equality > and > or.
import { badRequest, notModelled } from '../errors.js';
import { GUID_PATTERN } from '../guid.js';
import { parseDate, parseDateTime } from '../time.js';

export type LitType = 'String' | 'Guid' | 'DateTime' | 'Date' | 'Number' | 'Boolean' | 'Null';
export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterNode =
  | { k: 'lit'; type: LitType; v: string | number | boolean | null }
  | { k: 'prop'; path: string[] }
  | { k: 'cmp'; op: CmpOp; l: FilterNode; r: FilterNode }
  | { k: 'and' | 'or'; items: FilterNode[] }
  | { k: 'not'; x: FilterNode };

type Tok =
  | { t: '(' | ')' | ',' | 'eof'; pos: number }
  | { t: 'lit'; lit: Extract<FilterNode, { k: 'lit' }>; pos: number }
  | { t: 'word'; v: string; pos: number };

export const FILTER_LIMITS = { maxLength: 65_536, maxNodes: 5_000, maxDepth: 100 };

const GUID_Y = new RegExp(`${GUID_PATTERN}(?![0-9A-Za-z_])`, 'y');
const DATETIME_Y =
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?(?![0-9A-Za-z_])/y;
const DATE_Y = /\d{4}-\d{2}-\d{2}(?![0-9A-Za-z_:])/y;
const NUMBER_Y = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD_Y = /[A-Za-z_$][A-Za-z0-9_]*(?:\/[A-Za-z_$][A-Za-z0-9_]*)*/y;
const EQUALITY = new Set(['eq', 'ne']);
const RELATIONAL = new Set(['gt', 'ge', 'lt', 'le']);
const ARITHMETIC = new Set(['add', 'sub', 'mul', 'div', 'divby', 'mod']);
const RESERVED = new Set(['and', 'or', 'not', ...EQUALITY, ...RELATIONAL, ...ARITHMETIC, 'has', 'in']);

const OP3_LITERALS = new Set(['datetime', 'guid', 'datetimeoffset', 'time', 'binary', 'X', 'duration']);

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      toks.push({ t: c, pos: i++ });
      continue;
    }
    if (c === "'") {
      const start = i;
      let v = '';
      i++;
      for (;;) {
        if (i >= n)
          throw badRequest(`Syntax error in $filter: unterminated string literal at position ${start}.`);
        const ch = src[i]!;
        if (ch === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += ch;
        i++;
      }
      toks.push({ t: 'lit', lit: { k: 'lit', type: 'String', v }, pos: start });
      continue;
    }
    if (c === '@') throw notModelled(`parameter alias '${src.slice(i).split(/[\s)]/)[0]}' in $filter`);
    const m = matchAt(GUID_Y, src, i);
    if (m) {
      toks.push({ t: 'lit', lit: { k: 'lit', type: 'Guid', v: m.toLowerCase() }, pos: i });
      i += m.length;
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const dt = matchAt(DATETIME_Y, src, i);
      if (dt) {
        if (!/(Z|[+-]\d{2}:\d{2})$/.test(dt))
          throw badRequest(
            `The DateTimeOffset literal '${dt}' in $filter needs a time zone: end it with 'Z' or an offset (send '+' as %2B in a URL).`,
          );
        const ms = parseDateTime(dt);
        if (ms === undefined || /\.\d{8,}/.test(dt))
          throw badRequest(`Unrecognized Edm.DateTimeOffset literal '${dt}' in $filter.`);
        toks.push({ t: 'lit', lit: { k: 'lit', type: 'DateTime', v: ms }, pos: i });
        i += dt.length;
        continue;
      }
      const d = matchAt(DATE_Y, src, i);
      if (d) {
        if (parseDate(d) === undefined) throw badRequest(`Unrecognized Edm.Date literal '${d}' in $filter.`);
        toks.push({ t: 'lit', lit: { k: 'lit', type: 'Date', v: d }, pos: i });
        i += d.length;
        continue;
      }
      const num = matchAt(NUMBER_Y, src, i);
      if (num) {
        if (/[A-Za-z_]/.test(src[i + num.length] ?? ''))
          throw badRequest(
            `Syntax error in $filter at position ${i}: unrecognized literal '${src.slice(i, i + num.length + 1)}…'.`,
          );
        toks.push({ t: 'lit', lit: { k: 'lit', type: 'Number', v: Number(num) }, pos: i });
        i += num.length;
        continue;
      }
      throw notModelled(`arithmetic negation ('-') in $filter at position ${i}`);
    }
    const w = matchAt(WORD_Y, src, i);
    if (w) {
      const after = src[i + w.length];
      if (after === "'" && !RESERVED.has(w)) {
        if (OP3_LITERALS.has(w))
          throw badRequest(
            `The literal form ${w}'…' is OData 3 syntax; OData 4 writes GUIDs and DateTimeOffset values unquoted (e.g. 2024-05-23T00:00:00Z).`,
          );
        throw notModelled(`typed literal ${w}'…' in $filter`);
      }
      let j = i + w.length;
      while (src[j] === ' ') j++;
      // Named here, before the rest is lexed, because lambda bodies use syntax (`x:`) the lexer refuses.
      if (src[j] === '(' && !RESERVED.has(w)) {
        const segs = w.split('/');
        const last = segs[segs.length - 1]!;
        if (segs.length > 1 && (last === 'any' || last === 'all'))
          throw notModelled(`the lambda operator '${last}' on '${segs.slice(0, -1).join('/')}'`);
        throw notModelled(`the function '${w}' in $filter`);
      }
      toks.push({ t: 'word', v: w, pos: i });
      i += w.length;
      continue;
    }
    if (c === '[' || c === '{') throw notModelled('JSON array or object literals in $filter');
    throw badRequest(`Syntax error in $filter at position ${i}: unexpected character '${c}'.`);
  }
  toks.push({ t: 'eof', pos: n });
  return toks;
}

function matchAt(re: RegExp, src: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(src);
  return m ? m[0] : undefined;
}

class Parser {
  private i = 0;
  private nodes = 0;
  private depth = 0;

  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }

  private isWord(...words: string[]): boolean {
    const t = this.peek();
    return t.t === 'word' && words.includes(t.v);
  }

  private node<T extends FilterNode>(n: T): T {
    if (++this.nodes > FILTER_LIMITS.maxNodes)
      throw badRequest(`The $filter expression has more than ${FILTER_LIMITS.maxNodes} nodes.`);
    return n;
  }

  parse(): FilterNode {
    const e = this.or();
    const t = this.peek();
    if (t.t !== 'eof') throw this.unexpected(t);
    return e;
  }

  private or(): FilterNode {
    const items = [this.and()];
    while (this.isWord('or')) {
      this.i++;
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : this.node({ k: 'or', items });
  }

  private and(): FilterNode {
    const items = [this.equality()];
    while (this.isWord('and')) {
      this.i++;
      items.push(this.equality());
    }
    return items.length === 1 ? items[0]! : this.node({ k: 'and', items });
  }

  private equality(): FilterNode {
    let left = this.relational();
    while (this.isWord('eq', 'ne')) {
      const op = (this.toks[this.i++] as { v: CmpOp }).v;
      left = this.node({ k: 'cmp', op, l: left, r: this.relational() });
    }
    return left;
  }

  private relational(): FilterNode {
    let left = this.unary();
    for (;;) {
      this.rejectUnsupportedInfix();
      if (!this.isWord('gt', 'ge', 'lt', 'le')) return left;
      const op = (this.toks[this.i++] as { v: CmpOp }).v;
      left = this.node({ k: 'cmp', op, l: left, r: this.unary() });
    }
  }

  private rejectUnsupportedInfix(): void {
    const t = this.peek();
    if (t.t !== 'word') return;
    if (t.v === 'in') throw notModelled("the 'in' operator (write an 'or' chain of 'eq' comparisons)");
    if (t.v === 'has') throw notModelled("the 'has' operator");
    if (ARITHMETIC.has(t.v)) throw notModelled(`the arithmetic operator '${t.v}'`);
  }

  private unary(): FilterNode {
    if (this.isWord('not')) {
      this.i++;
      return this.nested(() => this.node({ k: 'not', x: this.unary() }));
    }
    return this.primary();
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > FILTER_LIMITS.maxDepth)
      throw badRequest(`The $filter expression nests deeper than ${FILTER_LIMITS.maxDepth} levels.`);
    const r = f();
    this.depth--;
    return r;
  }

  private primary(): FilterNode {
    const t = this.peek();
    if (t.t === '(') {
      this.i++;
      const e = this.nested(() => this.or());
      const close = this.peek();
      if (close.t === ',') throw notModelled('parenthesised lists in $filter');
      if (close.t !== ')') throw this.unexpected(close);
      this.i++;
      return e;
    }
    if (t.t === 'lit') {
      this.i++;
      return this.node(t.lit);
    }
    if (t.t === 'word') {
      this.i++;
      if (t.v === 'true' || t.v === 'false')
        return this.node({ k: 'lit', type: 'Boolean', v: t.v === 'true' });
      if (t.v === 'null') return this.node({ k: 'lit', type: 'Null', v: null });
      const segs = t.v.split('/');
      if (segs.some((s) => s.startsWith('$'))) throw notModelled(`'${t.v}' in $filter`);
      if (RESERVED.has(t.v)) throw this.unexpected(t);
      return this.node({ k: 'prop', path: segs });
    }
    throw this.unexpected(t);
  }

  private unexpected(t: Tok): Error {
    const what =
      t.t === 'eof'
        ? 'end of expression'
        : t.t === 'word'
          ? `'${t.v}'`
          : t.t === 'lit'
            ? 'a literal'
            : `'${t.t}'`;
    return badRequest(`Syntax error in $filter at position ${t.pos}: unexpected ${what}.`);
  }
}

export function parseFilter(src: string): FilterNode {
  if (src.length > FILTER_LIMITS.maxLength)
    throw badRequest(`The $filter expression is longer than ${FILTER_LIMITS.maxLength} characters.`);
  if (src.trim() === '') throw badRequest('The $filter expression is empty.');
  return new Parser(lex(src)).parse();
}
