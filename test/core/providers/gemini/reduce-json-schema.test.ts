import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { isEmptyObjectSchema, reduceJsonSchema } from '../../../../functions/core/providers/gemini/reduce-json-schema.js';

describe('reduceJsonSchema', () => {
  it.each<[string, unknown, JsonObject]>([
    ['keeps type, description and enum', { type: 'string', description: 'Unit', enum: ['c', 'f'] }, { type: 'string', description: 'Unit', enum: ['c', 'f'] }],
    [
      'drops $schema, additionalProperties, title, default and examples',
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        title: 'Args',
        type: 'object',
        properties: { city: { type: 'string', default: 'Paris', examples: ['Rome'], title: 'City' } },
        additionalProperties: false,
      },
      { type: 'object', properties: { city: { type: 'string' } } },
    ],
    [
      'keeps properties, required and items',
      { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' }, minItems: 1 } }, required: ['tags'] },
      { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' }, minItems: 1 } }, required: ['tags'] },
    ],
    [
      'drops required names that are not properties',
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'ghost'] },
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
    ],
    ['keeps a format Gemini documents for the type', { type: 'string', format: 'date-time' }, { type: 'string', format: 'date-time' }],
    ['drops a format Gemini does not document for the type', { type: 'string', format: 'email' }, { type: 'string' }],
    ['keeps integer formats', { type: 'integer', format: 'int64', minimum: 0, maximum: 10 }, { type: 'integer', format: 'int64', minimum: 0, maximum: 10 }],
    ['keeps nullable', { type: 'string', nullable: true }, { type: 'string', nullable: true }],
    ['turns a type list with null into nullable', { type: ['string', 'null'] }, { type: 'string', nullable: true }],
    ['turns a type list of several types into anyOf', { type: ['string', 'integer'] }, { anyOf: [{ type: 'string' }, { type: 'integer' }] }],
    ['turns an anyOf null branch into nullable', { anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'Count' }, { type: 'integer', nullable: true, description: 'Count' }],
    ['keeps an anyOf of several branches', { anyOf: [{ type: 'string' }, { type: 'number' }] }, { anyOf: [{ type: 'string' }, { type: 'number' }] }],
    ['turns oneOf into anyOf', { oneOf: [{ type: 'string' }, { type: 'boolean' }] }, { anyOf: [{ type: 'string' }, { type: 'boolean' }] }],
    [
      'merges allOf',
      { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'number' } }, required: ['b'] }] },
      { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a', 'b'] },
    ],
    ['turns const into a one-value enum', { type: 'string', const: 'fixed' }, { type: 'string', enum: ['fixed'] }],
    ['drops a non-string enum', { type: 'integer', enum: [1, 2, 3] }, { type: 'integer' }],
    ['turns null in an enum into nullable', { type: 'string', enum: ['a', null] }, { type: 'string', nullable: true, enum: ['a'] }],
    [
      'inlines a $ref to $defs',
      { type: 'object', properties: { home: { $ref: '#/$defs/address' } }, $defs: { address: { type: 'object', properties: { street: { type: 'string' } } } } },
      { type: 'object', properties: { home: { type: 'object', properties: { street: { type: 'string' } } } } },
    ],
    [
      'inlines a $ref to definitions and keeps its sibling description',
      { type: 'object', properties: { id: { $ref: '#/definitions/id', description: 'The id' } }, definitions: { id: { type: 'string' } } },
      { type: 'object', properties: { id: { type: 'string', description: 'The id' } } },
    ],
    [
      'drops a property whose $ref is cyclic',
      {
        type: 'object',
        properties: { node: { $ref: '#/$defs/node' } },
        $defs: { node: { type: 'object', properties: { name: { type: 'string' }, child: { $ref: '#/$defs/node' } }, required: ['name', 'child'] } },
      },
      { type: 'object', properties: { node: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } },
    ],
    [
      'drops a property whose $ref is unknown',
      { type: 'object', properties: { x: { $ref: 'https://example.com/x.json' }, y: { type: 'number' } } },
      { type: 'object', properties: { y: { type: 'number' } } },
    ],
    ['drops an anyOf branch whose $ref is unknown', { anyOf: [{ $ref: '#/$defs/missing' }, { type: 'string' }] }, { type: 'string' }],
    ['keeps the first schema of a tuple items', { type: 'array', items: [{ type: 'string' }, { type: 'number' }] }, { type: 'array', items: { type: 'string' } }],
    [
      'drops keywords Gemini does not know',
      { type: 'string', pattern: '^a', minLength: 1, maxLength: 5, not: { const: 'b' }, multipleOf: 2, uniqueItems: true },
      { type: 'string', minLength: 1, maxLength: 5 },
    ],
    ['leaves out an empty properties map', { type: 'object', properties: {} }, { type: 'object' }],
    ['reduces a non-object schema to an empty one', true, {}],
  ])('%s', (_, schema, expected) => {
    const reduced = reduceJsonSchema(schema);

    expect(reduced).toEqual(expected);
  });
});

describe('isEmptyObjectSchema', () => {
  it.each<[JsonObject, boolean]>([
    [{ type: 'object' }, true],
    [{}, true],
    [{ description: 'No arguments' }, true],
    [{ type: 'object', properties: { a: { type: 'string' } } }, false],
    [{ type: 'string' }, false],
    [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, false],
  ])('says %j is empty: %s', (schema, expected) => {
    expect(isEmptyObjectSchema(schema)).toBe(expected);
  });
});
