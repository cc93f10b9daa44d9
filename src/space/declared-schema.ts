import { z } from 'zod';
import type { Choice } from '../core/types.js';
import { unknownFields } from '../core/config-hints.js';
import { compileDeclared, type DeclaredItem } from './declared-compile.js';

const DECISION_FIELDS = ['name', 'choices', 'when'] as const;
const REPEAT_FIELDS = ['repeat', 'decisions'] as const;

/**
 * zod rebuilds mappings and drops a `__proto__` key without a word (assigning it would set the
 * prototype), so a raw mapping holding one is refused before zod sees it: as an unknown field of a
 * decision, or as a condition on a decision that cannot exist.
 */
function refuseProtoKey(what: string): (raw: unknown, ctx: z.core.$RefinementCtx) => unknown {
  return (raw, ctx) => {
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.hasOwn(raw, '__proto__')) {
      ctx.addIssue({
        code: 'custom',
        path: ['__proto__'],
        message: `"__proto__" cannot be ${what} (JavaScript reserves it)`,
        input: undefined,
      });
    }
    return raw;
  };
}

const choiceSchema = z.union([z.string().min(1), z.number().finite()], {
  error: 'expected a choice: a non-empty string or a number',
});

/** `when: { op: [conv3x3, conv5x5] }`; a single value is accepted for a one-element list. */
const whenSchema = z.preprocess(
  refuseProtoKey('a decision name'),
  z.record(z.string().min(1), z.union([choiceSchema.transform((v) => [v]), z.array(choiceSchema).min(1)])),
);

const repeatCountSchema = z.union([z.string().min(1), z.number().int().min(0)], {
  error: 'expected the name of an earlier decision or a non-negative integer',
});

// Declared as an explicit type: zod cannot infer a recursive schema's type through the transform.
// A raw `__proto__` key is refused first: the loose object below would drop it.
const itemSchema: z.ZodType<DeclaredItem> = z.lazy(() =>
  z.preprocess(
    refuseProtoKey('a field'),
    z
      .looseObject({
        name: z.string().min(1).optional(),
        choices: z.array(choiceSchema).min(1, 'a decision needs at least one choice').optional(),
        when: whenSchema.optional(),
        repeat: repeatCountSchema.optional(),
        decisions: z.array(itemSchema).min(1, 'a repeat needs at least one decision').optional(),
      })
      // `continue: false` stops the parse here: the cross-checks below must only see well-formed entries.
      .superRefine((item, ctx) => {
        const isRepeat = item.repeat !== undefined || item.decisions !== undefined;
        const known: readonly string[] = isRepeat ? REPEAT_FIELDS : DECISION_FIELDS;
        for (const { key, message } of unknownFields(item, known)) {
          ctx.addIssue({ code: 'custom', path: [key], message, input: item[key], continue: false });
        }
        const required = isRepeat ? (['repeat', 'decisions'] as const) : (['name', 'choices'] as const);
        for (const field of required) {
          if (item[field] !== undefined) continue;
          const message = isRepeat
            ? 'a repeat needs "repeat" (a count or an earlier decision) and "decisions"'
            : 'a decision needs "name" and "choices" (or write a repeat: { repeat, decisions })';
          ctx.addIssue({ code: 'custom', path: [field], message, input: undefined, continue: false });
        }
      })
      .transform((item): DeclaredItem => {
        if (item.repeat !== undefined || item.decisions !== undefined) {
          return { repeat: item.repeat ?? 0, decisions: item.decisions ?? [] };
        }
        const decision = { name: item.name ?? '', choices: item.choices ?? ([] as Choice[]) };
        return item.when === undefined ? decision : { ...decision, when: item.when };
      }),
  ),
);

/**
 * The `decisions:` list of a user-declared space (the experiment config and user table YAML files):
 *
 *   - { name: depth, choices: [2, 3, 4] }
 *   - repeat: depth                 # or a fixed integer
 *     decisions:
 *       - { name: op, choices: [conv3x3, conv5x5, maxpool] }
 *       - { name: filters, choices: [16, 32, 64], when: { op: [conv3x3, conv5x5] } }
 *
 * Cross-field rules (unique names, `when`/`repeat` referring to earlier decisions, values among their
 * choices) are checked here too, each reported at the path of the offending field.
 */
export const declaredDecisionsSchema = z
  .array(itemSchema)
  .min(1, 'a space needs at least one decision')
  .superRefine((items, ctx) => {
    for (const issue of compileDeclared(items).issues) {
      ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message, input: issue.input });
    }
  });
