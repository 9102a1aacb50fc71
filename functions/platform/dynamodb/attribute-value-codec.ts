/**
 * Plain JSON-like values ↔ DynamoDB AttributeValues, for the low-level client
 * (`@aws-sdk/util-dynamodb` is not a dependency). Top-level `undefined` fields are left
 * out, so absent optional fields are absent attributes, never NULLs; a `null` the caller
 * stores on purpose (inside metadata) stays a NULL.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

/** An object's fields as an item; fields whose value is `undefined` are skipped. */
export function toItem(value: Readonly<Record<string, unknown>>): Item {
  const item: Item = {};
  for (const [name, field] of Object.entries(value)) {
    if (field !== undefined) item[name] = toAttributeValue(field, name);
  }
  return item;
}

export function fromItem(item: Readonly<Item>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(item)) value[name] = fromAttributeValue(attribute);
  return value;
}

function toAttributeValue(value: unknown, path = 'value'): AttributeValue {
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: DynamoDB cannot store ${value}.`);
      return { N: String(value) };
    case 'object': {
      if (Array.isArray(value)) return { L: value.map((element, index) => toAttributeValue(element ?? null, `${path}[${index}]`)) };
      const map: Item = {};
      for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
        if (field !== undefined) map[name] = toAttributeValue(field, `${path}.${name}`);
      }
      return { M: map };
    }
    default:
      throw new TypeError(`${path}: DynamoDB cannot store a ${typeof value}.`);
  }
}

function fromAttributeValue(attribute: AttributeValue): unknown {
  if (attribute.S !== undefined) return attribute.S;
  if (attribute.N !== undefined) return Number(attribute.N);
  if (attribute.BOOL !== undefined) return attribute.BOOL;
  if (attribute.NULL !== undefined) return null;
  if (attribute.L !== undefined) return attribute.L.map(fromAttributeValue);
  if (attribute.M !== undefined) return fromItem(attribute.M);
  if (attribute.SS !== undefined) return [...attribute.SS];
  if (attribute.NS !== undefined) return attribute.NS.map(Number);
  if (attribute.B !== undefined) return attribute.B;
  if (attribute.BS !== undefined) return [...attribute.BS];
  throw new TypeError('Unknown DynamoDB attribute type.');
}
