import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import {
  createFunctionCallCollector,
  parseJsonPath,
  startStreamedFunctionCall,
} from '../../../../functions/core/providers/gemini/streamed-function-call.js';

describe('parseJsonPath', () => {
  it.each<[string, Array<string | number> | undefined]>([
    ['$.location', ['location']],
    ['$.recipe.items[0].name', ['recipe', 'items', 0, 'name']],
    ['$.matrix[1][2]', ['matrix', 1, 2]],
    ["$['odd.key']", ['odd.key']],
    ['$["quoted"].x', ['quoted', 'x']],
    ['$', []],
    ['location', undefined],
    ['$.a[x]', undefined],
  ])('reads %s', (jsonPath, expected) => {
    expect(parseJsonPath(jsonPath)).toEqual(expected);
  });
});

describe('startStreamedFunctionCall', () => {
  it.each<[string, JsonObject[][], JsonObject]>([
    [
      'joins a string while its pieces continue',
      [[{ jsonPath: '$.city', stringValue: 'San ', willContinue: true }], [{ jsonPath: '$.city', stringValue: 'Francisco', willContinue: true }], [{ jsonPath: '$.city', stringValue: '' }]],
      { city: 'San Francisco' },
    ],
    [
      'replaces a string whose previous piece was closed',
      [[{ jsonPath: '$.city', stringValue: 'Paris' }], [{ jsonPath: '$.city', stringValue: 'Rome' }]],
      { city: 'Rome' },
    ],
    [
      'sets numbers, booleans and null',
      [[{ jsonPath: '$.count', numberValue: 3 }, { jsonPath: '$.exact', boolValue: false }, { jsonPath: '$.note', nullValue: 'NULL_VALUE' }]],
      { count: 3, exact: false, note: null },
    ],
    [
      'builds nested objects and arrays',
      [[{ jsonPath: '$.recipe.items[0].name', stringValue: 'flour' }, { jsonPath: '$.recipe.items[1].name', stringValue: 'salt' }]],
      { recipe: { items: [{ name: 'flour' }, { name: 'salt' }] } },
    ],
    ['skips a piece with no value', [[{ jsonPath: '$.city' }]], {}],
    ['keeps __proto__ as a plain key', [[{ jsonPath: '$.__proto__.polluted', boolValue: true }]], JSON.parse('{"__proto__":{"polluted":true}}') as JsonObject],
  ])('%s', (_, pieces, expected) => {
    const call = startStreamedFunctionCall('f', undefined, undefined);

    for (const partialArgs of pieces) call.accumulate(partialArgs);

    expect(call.complete().args).toEqual(expected);
  });

  it('leaves Object.prototype alone when a path starts with __proto__', () => {
    const call = startStreamedFunctionCall('f', undefined, undefined);

    call.accumulate([{ jsonPath: '$.__proto__.polluted', boolValue: true }]);

    expect(({} as JsonObject)['polluted']).toBeUndefined();
  });

  it('starts from the args of the opening part', () => {
    const call = startStreamedFunctionCall('f', { unit: 'c' }, undefined);

    call.accumulate([{ jsonPath: '$.city', stringValue: 'Oslo' }]);

    expect(call.complete().args).toEqual({ unit: 'c', city: 'Oslo' });
  });
});

describe('createFunctionCallCollector', () => {
  it('completes a whole call at once', () => {
    const collector = createFunctionCallCollector();

    const completed = collector.add({ name: 'weather', args: { city: 'Paris' } }, 'sig');

    expect(completed).toEqual([{ name: 'weather', args: { city: 'Paris' }, thoughtSignature: 'sig' }]);
  });

  it('gives a call without args empty arguments', () => {
    const collector = createFunctionCallCollector();

    const completed = collector.add({ name: 'read_theme' }, undefined);

    expect(completed).toEqual([{ name: 'read_theme', args: {} }]);
  });

  it('holds a streamed call until its closing part', () => {
    const collector = createFunctionCallCollector();

    const whileOpen = [
      ...collector.add({ name: 'weather', willContinue: true }, 'sig'),
      ...collector.add({ partialArgs: [{ jsonPath: '$.city', stringValue: 'Oslo' }], willContinue: true }, undefined),
    ];
    const closed = collector.add({}, undefined);

    expect(whileOpen).toEqual([]);
    expect(closed).toEqual([{ name: 'weather', args: { city: 'Oslo' }, thoughtSignature: 'sig' }]);
  });

  it('completes the open call when the next call starts without closing it', () => {
    const collector = createFunctionCallCollector();
    collector.add({ name: 'first', willContinue: true }, undefined);

    const completed = collector.add({ name: 'second', args: {} }, undefined);

    expect(completed.map((call) => call.name)).toEqual(['first', 'second']);
  });

  it('completes the open call on flush', () => {
    const collector = createFunctionCallCollector();
    collector.add({ name: 'weather', willContinue: true }, undefined);

    const flushed = collector.flush();

    expect(flushed).toEqual([{ name: 'weather', args: {} }]);
  });

  it('ignores a closing part when no call is open', () => {
    const collector = createFunctionCallCollector();

    const completed = collector.add({}, undefined);

    expect(completed).toEqual([]);
  });
});
