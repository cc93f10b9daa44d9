import { describe, expect, it } from 'vitest';
import { attr } from './attributes.js';
import { ModelBuilder } from './builder.js';
import { decodeModel } from './encode.js';
import { OnnxGraphError } from './errors.js';
import { IR_VERSION, OPSET_VERSION } from './graph.js';
import { float32, int64 } from './tensor.js';

function tiny(): ModelBuilder {
  const b = new ModelBuilder({ name: 'tiny' });
  const x = b.input('x', 'float32', ['N', 3]);
  const w = b.initializer('w', float32([3, 2], [1, 2, 3, 4, 5, 6]));
  b.node('MatMul', [x, w], ['y']);
  b.output('y', 'float32', ['N', 2]);
  return b;
}

describe('ModelBuilder encoding', () => {
  it('writes IR 8, opset 17, symbolic and fixed dims, raw little-endian initializers', () => {
    const m = decodeModel(tiny().toBytes());
    expect(Number(m.irVersion)).toBe(IR_VERSION);
    expect(IR_VERSION).toBe(8);
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', OPSET_VERSION]]);
    expect(OPSET_VERSION).toBe(17);
    expect(m.producerName).toBe('naslab');
    const g = m.graph;
    expect(g?.name).toBe('tiny');
    const dims = g?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 3]);
    expect(g?.input?.[0]?.type?.tensorType?.elemType).toBe(1); // FLOAT
    const init = g?.initializer?.[0];
    expect(init?.name).toBe('w');
    expect(init?.dims?.map(Number)).toEqual([3, 2]);
    const raw = init?.rawData ?? new Uint8Array();
    expect(Array.from(new Float32Array(new Uint8Array(raw).buffer))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(g?.node?.[0]).toMatchObject({
      opType: 'MatMul',
      input: ['x', 'w'],
      output: ['y'],
      name: 'MatMul_0',
    });
  });

  it('encodes every attribute kind with its ONNX type', () => {
    const b = new ModelBuilder();
    const x = b.input('x', 'int64', [2]);
    b.node('Custom', [x], ['y'], {
      i: attr.int(-3),
      f: attr.float(0.5),
      is: attr.ints([1, 2, 3]),
      fs: attr.floats([0.25, -1]),
      s: attr.string('héllo'),
      t: attr.tensor(int64([2], [7, -9])),
    });
    b.output('y', 'int64');
    const a = decodeModel(b.toBytes()).graph?.node?.[0]?.attribute ?? [];
    const by = Object.fromEntries(a.map((p) => [p.name, p]));
    expect([by.i?.type, Number(by.i?.i)]).toEqual([2, -3]);
    expect([by.f?.type, by.f?.f]).toEqual([1, 0.5]);
    expect([by.is?.type, by.is?.ints.map(Number)]).toEqual([7, [1, 2, 3]]);
    expect([by.fs?.type, by.fs?.floats]).toEqual([6, [0.25, -1]]);
    expect([by.s?.type, new TextDecoder().decode(by.s?.s)]).toEqual([3, 'héllo']);
    expect(by.t?.type).toBe(4);
    expect(by.t?.t?.dataType).toBe(7); // INT64
    expect(Array.from(new BigInt64Array(new Uint8Array(by.t?.t?.rawData ?? []).buffer))).toEqual([7n, -9n]);
    // An output declared without a shape has no shape field (rank unknown), not a rank-0 shape.
    expect(decodeModel(b.toBytes()).graph?.output?.[0]?.type?.tensorType?.shape).toBeNull();
  });

  it('hands out unique names and node names', () => {
    const b = new ModelBuilder();
    const x = b.input('x', 'float32', [1]);
    expect(b.uniqueName('x')).toBe('x_1');
    expect(b.uniqueName('x')).toBe('x_2');
    expect(b.uniqueName('h')).toBe('h');
    const r1 = b.op('Relu', [x]);
    const r2 = b.op('Relu', [r1]);
    expect([r1, r2]).toEqual(['Relu_out', 'Relu_out_1']);
    expect(b.spec().nodes.map((n) => n.name)).toEqual(['Relu_0', 'Relu_1']);
  });
});

describe('ModelBuilder validation', () => {
  const fails = (f: () => unknown, message: RegExp): void => {
    expect(f).toThrow(OnnxGraphError);
    expect(f).toThrow(message);
  };

  it('says which names are produced: inputs, initializers and node outputs, not names merely reserved', () => {
    const b = tiny();
    expect(['x', 'y'].map((n) => b.produces(n))).toEqual([true, true]);
    const reserved = b.uniqueName('later');
    expect(b.produces(reserved)).toBe(false);
    b.initializer('k', float32([1], [2]));
    expect(b.produces('k')).toBe(true);
  });

  it('rejects a name produced twice', () => {
    const b = tiny();
    fails(
      () => b.node('Relu', ['x'], ['y']),
      /'y' is produced twice \(by node 'MatMul_0' and as output of node/,
    );
    fails(
      () => b.initializer('x', float32([1])),
      /'x' is produced twice \(by the graph input and as graph initializer/,
    );
    fails(() => b.output('y', 'float32'), /graph output 'y' is declared twice/);
    fails(() => b.node('Relu', ['x'], ['z'], {}, { name: 'MatMul_0' }), /node name 'MatMul_0' is used twice/);
  });

  it('rejects an input that nothing produces, or that is produced later', () => {
    const b = tiny();
    b.node('Add', ['y', 'bias'], ['z']);
    b.output('z', 'float32');
    fails(() => b.toBytes(), /node 'Add_0' \(Add\) reads 'bias', which nothing produces/);
    b.node('Identity', ['y'], ['bias']);
    fails(
      () => b.validate(),
      /reads 'bias' before node 'Identity_0' produces it; add nodes in topological order/,
    );
  });

  it('accepts an omitted optional input', () => {
    const b = new ModelBuilder();
    const x = b.input('x', 'float32', [2]);
    b.node('Clip', [x, '', b.initializer('max', float32([], [1]))], ['y']);
    b.output('y', 'float32', [2]);
    expect(decodeModel(b.toBytes()).graph?.node?.[0]?.input).toEqual(['x', '', 'max']);
  });

  it('rejects an output never produced and a graph without outputs', () => {
    const b = new ModelBuilder();
    b.input('x', 'float32', [1]);
    fails(() => b.validate(), /has no outputs/);
    b.output('ghost', 'float32');
    fails(() => b.toBytes(), /graph output 'ghost' is never produced/);
  });

  it('rejects initializer data that does not fit its shape or type', () => {
    const b = new ModelBuilder();
    fails(
      () => b.initializer('w', { type: 'float32', dims: [2, 3], data: new Float32Array(5) }),
      /initializer 'w': shape \[2, 3\] holds 6 elements but the data has 5/,
    );
    fails(
      () => b.initializer('i', { type: 'int64', dims: [2], data: new Float32Array(2) } as never),
      /initializer 'i': a int64 tensor needs a BigInt64Array/,
    );
    fails(() => b.initializer('d', float32([-1])), /dims must be non-negative integers/);
    // The failed calls reserved nothing.
    expect(b.initializer('w', float32([2, 3]))).toBe('w');
  });

  it('rejects malformed attributes, dims and types', () => {
    const b = new ModelBuilder();
    const x = b.input('x', 'float32', [1]);
    fails(
      () => b.op('Conv', [x], { group: attr.int(1.5) }),
      /node 'Conv_0' \(Conv\) attribute 'group': an int attribute needs an integer, found 1.5/,
    );
    fails(
      () => b.op('Conv', [x], { pads: attr.ints([1, 0.5]) }),
      /an ints attribute needs integers, found 0.5/,
    );
    fails(
      () => b.op('Constant', [], { value: attr.tensor(float32([2], [1])) }),
      /attribute 'value': shape \[2\] holds 2 elements/,
    );
    fails(
      () => b.input('y', 'float32', [1.5]),
      /graph input 'y': dims are non-negative integers or symbolic names/,
    );
    fails(() => b.input('z', 'float64' as never, [1]), /graph input 'z': unknown element type "float64"/);
    fails(() => b.node('', [x], ['q']), /opType must not be empty/);
    fails(() => b.node('Relu', [x], []), /has no outputs/);
    fails(() => b.node('Split', [x], ['a', 'a']), /lists output 'a' twice/);
    fails(() => b.node('Split', [x], ['b', 'x']), /'x' is produced twice/);
    // Failed calls recorded nothing: no nodes, and the names they tried are still free.
    expect(b.spec().nodes).toEqual([]);
    expect(b.op('Relu', [b.node('Identity', [x], ['b'])[0] ?? ''])).toBe('Relu_out');
    expect(b.spec().nodes.map((n) => n.name)).toEqual(['Identity_0', 'Relu_0']);
  });
});
