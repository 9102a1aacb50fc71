import type { JsonObject } from '../../openai/openai-types.js';
import { isObject } from '../json-values.js';

/**
 * JSON Schema (as OpenAI clients write tool parameters and `json_schema` formats) reduced to the
 * OpenAPI subset Gemini's `Schema` accepts (https://ai.google.dev/api/caching#Schema). Gemini
 * answers 400 for keywords it does not know (`additionalProperties`, `$schema`, `$ref`…), so this
 * keeps an allow-list and drops the rest:
 *
 * - kept: `type`, `properties`, `required` (only names that are among the properties), `items`,
 *   `enum` (strings only: Gemini's enums are string enums), `description`, `nullable`, `anyOf`,
 *   `format` (only the formats Gemini documents for the type), and the numeric bounds
 *   `minimum`/`maximum`, `minItems`/`maxItems`, `minLength`/`maxLength`, `minProperties`/`maxProperties`;
 * - rewritten: `$ref` to `#/$defs/…` or `#/definitions/…` is inlined (keeping a sibling
 *   `description`), and a property, item or branch whose reference is cyclic or unknown is dropped
 *   (Gemini has no recursion; the model then never fills that property); `oneOf` becomes `anyOf`; `allOf` is merged;
 *   `const` becomes a one-value `enum`; a `null` branch of `anyOf`/`oneOf` or of a type list becomes
 *   `nullable: true`; a type list of several non-null types becomes `anyOf`; a tuple `items` keeps
 *   its first schema;
 * - dropped: everything else — `$schema`, `$id`, `$defs`, `additionalProperties`, `title`,
 *   `default`, `examples`, `pattern` (regex dialects differ), `exclusiveMinimum`, `multipleOf`,
 *   `uniqueItems`, `not`, `if`/`then`/`else`, …; an empty `properties` map is left out too
 *   (Gemini refuses an OBJECT with empty properties).
 */
export function reduceJsonSchema(schema: unknown): JsonObject {
  const root = isObject(schema) ? schema : {};
  const definitions: JsonObject = {
    ...(isObject(root['definitions']) ? root['definitions'] : {}),
    ...(isObject(root['$defs']) ? root['$defs'] : {}),
  };
  return reduceNode(root, definitions, new Set()) ?? {};
}

/** True for a reduced object schema with no properties: Gemini wants no `parameters` at all then. */
export function isEmptyObjectSchema(schema: JsonObject): boolean {
  return (schema['type'] === 'object' || schema['type'] === undefined) && schema['properties'] === undefined && schema['anyOf'] === undefined;
}

const FORMATS_BY_TYPE: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};

const BOUNDS = ['minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties'] as const;

/** The reduced schema, or undefined when it is a reference that cannot be inlined (the caller drops it). */
function reduceNode(node: unknown, definitions: JsonObject, resolving: ReadonlySet<string>): JsonObject | undefined {
  if (!isObject(node)) return {};
  if (typeof node['$ref'] === 'string') return inlineReference(node, node['$ref'], definitions, resolving);
  const reduced: JsonObject = {};
  const recurse = (child: unknown): JsonObject | undefined => reduceNode(child, definitions, resolving);
  const recurseAll = (children: unknown[]): JsonObject[] => children.map(recurse).filter((child) => child !== undefined);

  applyType(reduced, node['type']);
  if (typeof node['description'] === 'string') reduced['description'] = node['description'];
  if (node['nullable'] === true) reduced['nullable'] = true;
  applyEnum(reduced, node);
  const format = node['format'];
  const type = reduced['type'];
  if (typeof format === 'string' && typeof type === 'string' && Object.hasOwn(FORMATS_BY_TYPE, type) && FORMATS_BY_TYPE[type]!.has(format)) {
    reduced['format'] = format;
  }
  for (const bound of BOUNDS) {
    const value = node[bound];
    if (typeof value === 'number' && Number.isFinite(value)) reduced[bound] = value;
  }

  if (isObject(node['properties'])) {
    const properties: JsonObject = {};
    for (const [name, property] of Object.entries(node['properties'])) {
      const reducedProperty = recurse(property);
      if (reducedProperty !== undefined) properties[name] = reducedProperty;
    }
    if (Object.keys(properties).length > 0) reduced['properties'] = properties;
  }
  if (Array.isArray(node['required'])) reduced['required'] = node['required'];
  const items = Array.isArray(node['items']) ? node['items'][0] : node['items'];
  const reducedItems = isObject(items) ? recurse(items) : undefined;
  if (reducedItems !== undefined) reduced['items'] = reducedItems;

  const alternatives = Array.isArray(node['anyOf']) ? node['anyOf'] : Array.isArray(node['oneOf']) ? node['oneOf'] : undefined;
  if (alternatives) applyAlternatives(reduced, recurseAll(alternatives));
  if (Array.isArray(node['allOf'])) mergeInto(reduced, recurseAll(node['allOf']));
  keepKnownRequired(reduced);
  return reduced;
}

/** Gemini refuses a `required` name that is not among the properties. */
function keepKnownRequired(reduced: JsonObject): void {
  const properties = isObject(reduced['properties']) ? reduced['properties'] : {};
  const required = Array.isArray(reduced['required'])
    ? reduced['required'].filter((name): name is string => typeof name === 'string' && Object.hasOwn(properties, name))
    : [];
  if (required.length > 0) reduced['required'] = [...new Set(required)];
  else delete reduced['required'];
}

function inlineReference(node: JsonObject, reference: string, definitions: JsonObject, resolving: ReadonlySet<string>): JsonObject | undefined {
  const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(reference)?.[1];
  if (name === undefined || !Object.hasOwn(definitions, name) || resolving.has(name)) return undefined;
  const inlined = reduceNode(definitions[name], definitions, new Set([...resolving, name]));
  if (inlined === undefined) return undefined;
  return typeof node['description'] === 'string' ? { ...inlined, description: node['description'] } : inlined;
}

function applyType(reduced: JsonObject, type: unknown): void {
  if (typeof type === 'string') {
    reduced['type'] = type;
    return;
  }
  if (!Array.isArray(type)) return;
  const types = type.filter((item): item is string => typeof item === 'string');
  const nonNull = types.filter((item) => item !== 'null');
  if (nonNull.length < types.length) reduced['nullable'] = true;
  if (nonNull.length === 1) reduced['type'] = nonNull[0];
  else if (nonNull.length > 1) reduced['anyOf'] = nonNull.map((item) => ({ type: item }));
  else if (types.length > 0) reduced['type'] = 'null';
}

function applyEnum(reduced: JsonObject, node: JsonObject): void {
  const values = Array.isArray(node['enum']) ? node['enum'] : node['const'] !== undefined ? [node['const']] : undefined;
  if (!values) return;
  if (values.includes(null)) reduced['nullable'] = true;
  const strings = values.filter((value) => value !== null);
  if (strings.length > 0 && strings.every((value) => typeof value === 'string')) reduced['enum'] = strings;
}

/** `anyOf`/`oneOf`: a `{type:"null"}` branch makes the rest nullable; one remaining branch is merged in. */
function applyAlternatives(reduced: JsonObject, branches: JsonObject[]): void {
  const nonNull = branches.filter((branch) => branch['type'] !== 'null');
  if (nonNull.length < branches.length) reduced['nullable'] = true;
  if (nonNull.length === 1) mergeInto(reduced, nonNull);
  else if (nonNull.length > 1) reduced['anyOf'] = nonNull;
}

/** `allOf` (and a lone `anyOf` branch): properties and required lists are united, other keywords kept where unset. */
function mergeInto(reduced: JsonObject, schemas: JsonObject[]): void {
  for (const schema of schemas) {
    for (const [keyword, value] of Object.entries(schema)) {
      if (keyword === 'properties' && isObject(value)) {
        reduced['properties'] = { ...(isObject(reduced['properties']) ? reduced['properties'] : {}), ...value };
      } else if (keyword === 'required' && Array.isArray(value)) {
        reduced['required'] = [...new Set([...(Array.isArray(reduced['required']) ? reduced['required'] : []), ...value])];
      } else if (reduced[keyword] === undefined) {
        reduced[keyword] = value;
      }
    }
  }
}
