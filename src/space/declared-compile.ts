import type { Choice, Decision } from '../core/types.js';

/** One decision of a user-declared space, as written in the config (after schema parsing). */
export interface DeclaredDecision {
  readonly name: string;
  readonly choices: readonly Choice[];
  /** Asked only when every listed earlier decision took one of the listed values. */
  readonly when?: Readonly<Record<string, readonly Choice[]>>;
}

/** The nested decisions repeat `repeat` times: a fixed count or an earlier decision's value. */
export interface DeclaredRepeat {
  readonly repeat: string | number;
  readonly decisions: readonly DeclaredItem[];
}

export type DeclaredItem = DeclaredDecision | DeclaredRepeat;

export function isRepeat(item: DeclaredItem): item is DeclaredRepeat {
  return 'repeat' in item;
}

/**
 * A reference to a decision by base name and nesting depth: inside repeats, its concrete name is the
 * base plus the iteration indices of the `depth` innermost-shared repeats (e.g. op_2, or op_1_0).
 */
export interface Ref {
  readonly base: string;
  readonly depth: number;
}

export interface CompiledCondition {
  readonly ref: Ref;
  readonly allowed: ReadonlySet<Choice>;
}

export interface CompiledDecision {
  readonly kind: 'decision';
  readonly base: string;
  readonly depth: number;
  readonly choices: readonly Choice[];
  readonly conditions: readonly CompiledCondition[];
  /** Decision objects per iteration suffix, made once so next() hands out the same object each time. */
  readonly instances: Map<string, Decision>;
}

export interface CompiledRepeat {
  readonly kind: 'repeat';
  readonly count: number | Ref;
  readonly body: readonly CompiledItem[];
}

export type CompiledItem = CompiledDecision | CompiledRepeat;

export interface ConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly input: unknown;
}

interface Known {
  readonly ref: Ref;
  readonly choices: readonly Choice[];
  readonly path: readonly (string | number)[];
}

function allNames(items: readonly DeclaredItem[], into: Set<string>): Set<string> {
  for (const item of items) {
    if (isRepeat(item)) allNames(item.decisions, into);
    else into.add(item.name);
  }
  return into;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Two expanded names can collide when one base is the other plus "_<n>" groups (op + _1 vs op_1). */
function expansionsCollide(a: Ref, b: Ref): boolean {
  if (!b.base.startsWith(a.base)) return false;
  const rest = b.base.slice(a.base.length);
  const groups = /^(?:_\d+)+$/.test(rest) ? rest.split('_').length - 1 : -1;
  return groups > 0 && a.depth === b.depth + groups;
}

/**
 * Checks a declared space and resolves its references. Every problem becomes an issue with the path of
 * the offending field (relative to the decisions list), so a config error can name it exactly.
 */
export function compileDeclared(items: readonly DeclaredItem[]): {
  program: CompiledItem[];
  issues: ConfigIssue[];
} {
  const issues: ConfigIssue[] = [];
  const declared = allNames(items, new Set());
  const seen = new Map<string, Known>();
  const scopes: Map<string, Known>[] = [];

  const resolve = (name: string, path: readonly (string | number)[], what: string): Known | undefined => {
    for (let s = scopes.length - 1; s >= 0; s--) {
      const found = scopes[s]?.get(name);
      if (found !== undefined) return found;
    }
    const visible = scopes.flatMap((scope) => [...scope.keys()]);
    const why = seen.has(name)
      ? `"${name}" is inside an earlier repeat, which is not visible here`
      : declared.has(name)
        ? `"${name}" comes later; ${what} can only refer to an earlier decision`
        : `there is no decision "${name}"`;
    const options = visible.length > 0 ? ` (earlier decisions here: ${visible.join(', ')})` : '';
    issues.push({ path, message: `${why}${options}`, input: name });
    return undefined;
  };

  const checkDecision = (
    item: DeclaredDecision,
    path: (string | number)[],
    depth: number,
  ): CompiledDecision => {
    const first = seen.get(item.name);
    if (first !== undefined) {
      issues.push({
        path: [...path, 'name'],
        message: `decision name "${item.name}" is already used at ${formatPath(['decisions', ...first.path])}; names must be unique`,
        input: item.name,
      });
    }
    if (Object.hasOwn(Object.prototype, item.name)) {
      // A sample is a plain object keyed by decision name: this name would read (or, for __proto__,
      // replace) what every object inherits, so an unasked decision would look asked.
      issues.push({
        path: [...path, 'name'],
        message: `"${item.name}" cannot be a decision name (every JavaScript object has it); rename it`,
        input: item.name,
      });
    }
    if (/[,=]/.test(item.name)) {
      issues.push({
        path: [...path, 'name'],
        message: 'a decision name may not contain "," or "="',
        input: item.name,
      });
    }
    const byText = new Map<string, Choice>();
    item.choices.forEach((choice, c) => {
      const text = String(choice);
      if (byText.has(text)) {
        issues.push({
          path: [...path, 'choices', c],
          message: `choice ${JSON.stringify(choice)} is listed twice`,
          input: choice,
        });
      }
      if (typeof choice === 'string' && choice.includes(',')) {
        issues.push({
          path: [...path, 'choices', c],
          message: 'a choice may not contain ","',
          input: choice,
        });
      }
      byText.set(text, choice);
    });
    const conditions: CompiledCondition[] = [];
    for (const [refName, values] of Object.entries(item.when ?? {})) {
      const known = resolve(refName, [...path, 'when', refName], 'a condition');
      if (known === undefined) continue;
      const allowed = new Set<Choice>();
      for (const value of values) {
        const match = known.choices.find((choice) => String(choice) === String(value));
        if (match === undefined) {
          issues.push({
            path: [...path, 'when', refName],
            message: `${JSON.stringify(value)} is not a choice of "${refName}" (choices: ${known.choices.join(', ')})`,
            input: value,
          });
        } else allowed.add(match);
      }
      conditions.push({ ref: known.ref, allowed });
    }
    const compiled: CompiledDecision = {
      kind: 'decision',
      base: item.name,
      depth,
      choices: Object.freeze([...item.choices]),
      conditions,
      instances: new Map(),
    };
    const known: Known = { ref: { base: item.name, depth }, choices: item.choices, path };
    if (first === undefined) seen.set(item.name, known);
    scopes[scopes.length - 1]?.set(item.name, known);
    return compiled;
  };

  const checkRepeat = (item: DeclaredRepeat, path: (string | number)[], depth: number): CompiledRepeat => {
    let count: number | Ref = 0;
    if (typeof item.repeat === 'number') count = item.repeat;
    else {
      const known = resolve(item.repeat, [...path, 'repeat'], 'a repeat');
      const bad = known?.choices.filter((c) => typeof c !== 'number' || !Number.isInteger(c) || c < 0);
      if (known !== undefined && bad !== undefined && bad.length > 0) {
        issues.push({
          path: [...path, 'repeat'],
          message: `a repeat count must come from a decision whose choices are all non-negative integers; "${item.repeat}" has ${bad.map((c) => JSON.stringify(c)).join(', ')}`,
          input: item.repeat,
        });
      } else if (known !== undefined) count = known.ref;
    }
    return { kind: 'repeat', count, body: checkBody(item.decisions, [...path, 'decisions'], depth + 1) };
  };

  const checkBody = (
    body: readonly DeclaredItem[],
    path: (string | number)[],
    depth: number,
  ): CompiledItem[] => {
    scopes.push(new Map());
    const out = body.map((item, i) =>
      isRepeat(item) ? checkRepeat(item, [...path, i], depth) : checkDecision(item, [...path, i], depth),
    );
    scopes.pop();
    return out;
  };

  const program = checkBody(items, [], 0);
  const refs = [...seen.values()];
  for (const a of refs) {
    for (const b of refs) {
      if (a !== b && expansionsCollide(a.ref, b.ref)) {
        issues.push({
          path: [...b.path, 'name'],
          message: `decision name "${b.ref.base}" can clash with the repeated names of "${a.ref.base}" (${a.ref.base}_0, ${a.ref.base}_1, ...); rename one`,
          input: b.ref.base,
        });
      }
    }
  }
  return { program, issues };
}

/** "decisions[1].when.op: message" lines, for errors raised outside zod. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => `${formatPath(['decisions', ...issue.path])}: ${issue.message}`).join('\n  ');
}
