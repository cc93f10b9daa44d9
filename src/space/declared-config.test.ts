import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { declaredSpaceFromConfig } from './declared.js';

const fail = (raw: unknown): string => {
  try {
    declaredSpaceFromConfig('t', raw, 'space.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

const REPEAT = (decisions: unknown[]) => [
  { name: 'depth', choices: [1, 2] },
  { repeat: 'depth', decisions },
];

describe('declared space config errors', () => {
  it.each<[string, unknown, string]>([
    ['not a list', 'hello', 'decisions: Invalid input: expected array'],
    ['an empty list', [], 'decisions: a space needs at least one decision'],
    [
      'no choices',
      [{ name: 'a', choices: [] }],
      'decisions[0].choices: a decision needs at least one choice',
    ],
    [
      'a duplicate choice',
      [{ name: 'a', choices: [1, 2, 1] }],
      'decisions[0].choices[2]: choice 1 is listed twice',
    ],
    [
      '"2" and 2 as choices',
      [{ name: 'a', choices: [2, '2'] }],
      'decisions[0].choices[1]: choice "2" is listed twice',
    ],
    [
      'a boolean choice',
      [{ name: 'a', choices: [true] }],
      'decisions[0].choices[0]: expected a choice: a non-empty string or a number, found boolean true',
    ],
    [
      'a duplicate name',
      [
        { name: 'a', choices: [1] },
        { name: 'a', choices: [2] },
      ],
      'decisions[1].name: decision name "a" is already used at decisions[0]; names must be unique',
    ],
    ['a missing name', [{ choices: [1] }], 'decisions[0].name: a decision needs "name" and "choices"'],
    [
      'a typo in a field',
      [{ name: 'a', choises: [1] }],
      'decisions[0].choises: unknown field "choises"; did you mean "choices"? (expected fields: name, choices, when)',
    ],
    [
      'a name with a comma',
      [{ name: 'a,b', choices: [1] }],
      'decisions[0].name: a decision name may not contain "," or "="',
    ],
    [
      'a when on a later decision',
      [
        { name: 'a', choices: [1], when: { b: [1] } },
        { name: 'b', choices: [1] },
      ],
      'decisions[0].when.b: "b" comes later; a condition can only refer to an earlier decision',
    ],
    [
      'a when on an unknown decision',
      [
        { name: 'a', choices: [1] },
        { name: 'b', choices: [1], when: { zz: [1] } },
      ],
      'decisions[1].when.zz: there is no decision "zz" (earlier decisions here: a)',
    ],
    [
      'a when value that is not a choice',
      REPEAT([
        { name: 'op', choices: ['conv3x3', 'maxpool'] },
        { name: 'filters', choices: [16], when: { op: ['conv7x7'] } },
      ]),
      'decisions[1].decisions[1].when.op: "conv7x7" is not a choice of "op" (choices: conv3x3, maxpool), found string "conv7x7"',
    ],
    [
      'a when on a decision inside an ended repeat',
      [...REPEAT([{ name: 'op', choices: ['x'] }]), { name: 'z', choices: [1], when: { op: ['x'] } }],
      'decisions[2].when.op: "op" is inside an earlier repeat, which is not visible here',
    ],
    [
      'a repeat on a non-integer decision',
      [
        { name: 'depth', choices: [1, 'two'] },
        { repeat: 'depth', decisions: [{ name: 'op', choices: ['x'] }] },
      ],
      'decisions[1].repeat: a repeat count must come from a decision whose choices are all non-negative integers; "depth" has "two"',
    ],
    [
      'a repeat on a negative count',
      [
        { name: 'depth', choices: [-1, 2] },
        { repeat: 'depth', decisions: [{ name: 'op', choices: ['x'] }] },
      ],
      '"depth" has -1',
    ],
    [
      'a repeat on an unknown decision',
      [{ repeat: 'layers', decisions: [{ name: 'op', choices: ['x'] }] }],
      'decisions[0].repeat: there is no decision "layers"',
    ],
    [
      'a negative fixed repeat',
      [{ repeat: -2, decisions: [{ name: 'op', choices: ['x'] }] }],
      'decisions[0].repeat: Too small: expected number to be >=0',
    ],
    [
      'an empty repeat',
      [{ repeat: 2, decisions: [] }],
      'decisions[0].decisions: a repeat needs at least one decision',
    ],
    [
      'a repeat mixed with a decision',
      [{ repeat: 2, name: 'x', decisions: [{ name: 'op', choices: ['x'] }] }],
      'decisions[0].name: unknown field "name" (expected fields: repeat, decisions)',
    ],
    [
      'a name that clashes with repeated names',
      [
        { repeat: 2, decisions: [{ name: 'op', choices: ['x'] }] },
        { name: 'op_1', choices: [1] },
      ],
      'decisions[1].name: decision name "op_1" can clash with the repeated names of "op" (op_0, op_1, ...); rename one',
    ],
  ])('%s', (_label, raw, expected) => {
    const message = fail(raw);
    expect(message).toContain('space.yaml: invalid configuration');
    expect(message).toContain(expected);
  });

  it('accepts a when value written as a string for a numeric choice', () => {
    const space = declaredSpaceFromConfig(
      't',
      [
        { name: 'width', choices: [16, 32] },
        { name: 'extra', choices: ['a'], when: { width: '32' } },
      ],
      'space.yaml',
    );
    expect(space.next({ width: 32 })?.name).toBe('extra');
    expect(space.next({ width: 16 })).toBeNull();
  });
});
