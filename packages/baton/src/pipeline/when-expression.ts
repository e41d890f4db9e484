/**
 * The `when` condition of a task: a small expression grammar, parsed by a recursive-descent parser
 * and evaluated over plain data. No `eval`, no `Function`, no property access beyond own data keys.
 *
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | compare
 *   compare := primary (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not' 'in') primary)?
 *   primary := number | 'string' | "string" | true | false | null | ref | '{' ref '}'
 *            | '(' expr ')' | '[' (expr (',' expr)*)? ']'
 */
import { err, ok, Result } from 'neverthrow';
import { parseReference, type Lookup, type TemplateProblem, type TemplateRef } from './template.js';

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

/** A parsed condition. */
export type WhenNode =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'ref'; readonly ref: TemplateRef }
  | { readonly kind: 'list'; readonly items: readonly WhenNode[] }
  | { readonly kind: 'not'; readonly operand: WhenNode }
  | { readonly kind: 'and' | 'or'; readonly left: WhenNode; readonly right: WhenNode }
  | {
      readonly kind: 'compare';
      readonly op: CompareOp;
      readonly left: WhenNode;
      readonly right: WhenNode;
    };

interface Token {
  readonly type: 'num' | 'str' | 'word' | 'ref' | 'op' | 'end';
  readonly text: string;
  readonly value?: unknown;
  readonly offset: number;
}

/** Deepest nesting of parentheses and lists: a hostile condition cannot exhaust the stack. */
const MAX_DEPTH = 64;
/** Longest condition in tokens: evaluation recurses along `and`/`or` chains too. */
const MAX_TOKENS = 2000;
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);
const TOKEN =
  /\s*(?:(-?\d+(?:\.\d+)?(?![A-Za-z_]))|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\{[^{}]*\})|([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)|(==|!=|<=|>=|<|>|\(|\)|\[|\]|,))/y;

function tokenize(source: string): Result<Token[], TemplateProblem> {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(source);
    if (m === null) {
      const offset = at + (/^\s*/.exec(source.slice(at))?.[0].length ?? 0);
      const rest = source.slice(offset);
      const hint = /^(&&|\|\||!)/.test(rest) ? '; write and, or, not' : '';
      return err({ offset, message: `unexpected "${rest.slice(0, 10)}" in condition${hint}` });
    }
    const [all, num, str, braced, word, op] = m;
    const offset = at + all.length - (num ?? str ?? braced ?? word ?? op ?? '').length;
    if (num !== undefined) tokens.push({ type: 'num', text: num, value: Number(num), offset });
    else if (str !== undefined)
      tokens.push({
        type: 'str',
        text: str,
        value: str.slice(1, -1).replace(/\\(.)/g, '$1'),
        offset,
      });
    else if (braced !== undefined) tokens.push({ type: 'ref', text: braced, offset });
    else if (word !== undefined)
      tokens.push({ type: KEYWORDS.has(word) ? 'word' : 'ref', text: word, offset });
    else tokens.push({ type: 'op', text: op ?? '', offset });
    at = TOKEN.lastIndex;
    if (tokens.length > MAX_TOKENS)
      return err({ offset, message: `condition longer than ${MAX_TOKENS} tokens` });
  }
  tokens.push({ type: 'end', text: 'end of condition', offset: source.length });
  return ok(tokens);
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private is(text: string): boolean {
    const t = this.peek();
    return (t.type === 'word' || t.type === 'op') && t.text === text;
  }
  private fail(message: string): Result<never, TemplateProblem> {
    return err({ offset: this.peek().offset, message });
  }

  parse(): Result<WhenNode, TemplateProblem> {
    return this.or().andThen((node) =>
      this.peek().type === 'end'
        ? ok(node)
        : this.fail(`unexpected "${this.peek().text}" in condition`),
    );
  }

  private binary(kind: 'and' | 'or', operand: () => Result<WhenNode, TemplateProblem>) {
    let left = operand();
    while (left.isOk() && this.is(kind)) {
      this.next();
      const l = left.value;
      left = operand().map((right): WhenNode => ({ kind, left: l, right }));
    }
    return left;
  }
  private or(): Result<WhenNode, TemplateProblem> {
    return this.binary('or', () => this.and());
  }
  private and(): Result<WhenNode, TemplateProblem> {
    return this.binary('and', () => this.not());
  }
  private not(): Result<WhenNode, TemplateProblem> {
    if (!this.is('not')) return this.compare();
    this.next();
    return this.nested(() => this.not()).map((operand): WhenNode => ({ kind: 'not', operand }));
  }
  private compare(): Result<WhenNode, TemplateProblem> {
    return this.primary().andThen((left) => {
      let op: CompareOp | undefined;
      const t = this.peek();
      if (t.type === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text))
        op = t.text as CompareOp;
      else if (this.is('in')) op = 'in';
      else if (this.is('not') && this.tokens[this.i + 1]?.text === 'in') {
        this.next();
        op = 'not in';
      }
      if (op === undefined) return ok(left);
      this.next();
      const o = op;
      return this.primary().map((right): WhenNode => ({ kind: 'compare', op: o, left, right }));
    });
  }
  private nested(
    parse: () => Result<WhenNode, TemplateProblem>,
  ): Result<WhenNode, TemplateProblem> {
    if (++this.depth > MAX_DEPTH)
      return this.fail(`condition nested deeper than ${MAX_DEPTH} levels`);
    const result = parse();
    this.depth -= 1;
    return result;
  }
  private primary(): Result<WhenNode, TemplateProblem> {
    const t = this.next();
    if (t.type === 'num' || t.type === 'str') return ok({ kind: 'literal', value: t.value });
    if (t.type === 'word' && (t.text === 'true' || t.text === 'false' || t.text === 'null'))
      return ok({ kind: 'literal', value: t.text === 'null' ? null : t.text === 'true' });
    if (t.type === 'ref') {
      const raw = t.text.startsWith('{') ? t.text.slice(1, -1) : t.text;
      const ref = parseReference(raw, t.offset, t.text);
      return 'head' in ref ? ok({ kind: 'ref', ref }) : err(ref);
    }
    if (t.type === 'op' && t.text === '(')
      return this.nested(() => this.or()).andThen((inner) =>
        this.is(')') ? (this.next(), ok(inner)) : this.fail('expected ")"'),
      );
    if (t.type === 'op' && t.text === '[') return this.list();
    this.i -= 1;
    return this.fail(`expected a value, got "${t.text}"`);
  }
  private list(): Result<WhenNode, TemplateProblem> {
    const items: WhenNode[] = [];
    while (!this.is(']')) {
      const item = this.nested(() => this.or());
      if (item.isErr()) return item;
      items.push(item.value);
      if (this.is(',')) this.next();
      else if (!this.is(']')) return this.fail('expected "," or "]" in list');
    }
    this.next();
    return ok({ kind: 'list', items });
  }
}

/** Parses a condition, or says where and why it does not parse. */
export function parseWhen(source: string): Result<WhenNode, TemplateProblem> {
  return tokenize(source).andThen((tokens) => new Parser(tokens).parse());
}

/** Every reference in a condition, in order. */
export function whenReferences(node: WhenNode): TemplateRef[] {
  switch (node.kind) {
    case 'literal':
      return [];
    case 'ref':
      return [node.ref];
    case 'list':
      return node.items.flatMap(whenReferences);
    case 'not':
      return whenReferences(node.operand);
    default:
      return [...whenReferences(node.left), ...whenReferences(node.right)];
  }
}

/** false, null, 0, '' and [] are false; everything else is true. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== false && value !== null && value !== undefined && value !== 0 && value !== '';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;

function compare(op: CompareOp, a: unknown, b: unknown): Result<boolean, string> {
  switch (op) {
    case '==':
      return ok(deepEqual(a, b));
    case '!=':
      return ok(!deepEqual(a, b));
    case 'in':
    case 'not in': {
      let found: boolean;
      if (Array.isArray(b)) found = b.some((item) => deepEqual(a, item));
      else if (typeof b === 'string' && typeof a === 'string') found = b.includes(a);
      else if (typeof b === 'object' && b !== null && typeof a === 'string')
        found = Object.hasOwn(b, a);
      else return err(`"in" needs a list, a string or an object on its right, got ${typeName(b)}`);
      return ok(op === 'in' ? found : !found);
    }
    default: {
      const comparable =
        (typeof a === 'number' && typeof b === 'number') ||
        (typeof a === 'string' && typeof b === 'string');
      if (!comparable) return err(`cannot compare ${typeName(a)} ${op} ${typeName(b)}`);
      const x = a as number;
      const y = b as number;
      return ok(op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y);
    }
  }
}

/** The value of a condition; `resolve` finds a reference's value (as for templates). */
export function evaluateWhen(
  node: WhenNode,
  resolve: (ref: TemplateRef) => Lookup,
): Result<unknown, string> {
  const evaluate = (n: WhenNode): Result<unknown, string> => evaluateWhen(n, resolve);
  switch (node.kind) {
    case 'literal':
      return ok(node.value);
    case 'ref': {
      const found = resolve(node.ref);
      return found.found ? ok(found.value) : err(found.reason);
    }
    case 'list':
      return Result.combine(node.items.map(evaluate));
    case 'not':
      return evaluate(node.operand).map((v) => !truthy(v));
    case 'and':
      return evaluate(node.left).andThen((l) =>
        truthy(l) ? evaluate(node.right).map(truthy) : ok(false),
      );
    case 'or':
      return evaluate(node.left).andThen((l) =>
        truthy(l) ? ok(true) : evaluate(node.right).map(truthy),
      );
    case 'compare':
      return evaluate(node.left).andThen((l) =>
        evaluate(node.right).andThen((r) => compare(node.op, l, r)),
      );
  }
}
