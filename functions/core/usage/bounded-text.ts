import { createHash } from 'node:crypto';
import { LONE_SURROGATE } from '../storable-metadata.js';

/**
 * The most UTF-8 bytes one value of a usage record takes once stored. Every key of the usage
 * table is built from a few of them (`<day>#<end user>`, `ROLLUP#tenant-run#<tenant>`), so with
 * this bound no key comes near DynamoDB's limits (2,048 bytes for a partition key, 1,024 for a
 * sort key). It equals the gateway's own bound on end users and run ids, so a value the gateway
 * accepted is never changed here, and the cost API's filters (at most 256 characters) can
 * always name a stored value.
 */
export const MAX_USAGE_VALUE_BYTES = 256;

/** 128 bits of SHA-256, as hex: enough that distinct values never share a bounded form by chance. */
const HASH_HEX_CHARACTERS = 32;
const HASH_SEPARATOR = '~';

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * `text` itself when it is well-formed and at most `maxBytes` UTF-8 bytes long. Otherwise the
 * longest prefix that fits (lone surrogates replaced by U+FFFD), `~`, and 128 bits of the
 * SHA-256 of the whole original text: distinct values stay distinct, and the same value always
 * gets the same bounded form, so a redelivered record still lands on its own keys. Idempotent:
 * a bounded form is returned unchanged.
 */
export function boundText(text: string, maxBytes: number = MAX_USAGE_VALUE_BYTES): string {
  if (isStorableText(text, maxBytes)) return text;
  // Over the UTF-16 code units, so values that differ only in a lone surrogate stay apart.
  const hash = createHash('sha256').update(Buffer.from(text, 'utf16le')).digest('hex').slice(0, HASH_HEX_CHARACTERS);
  return `${utf8Prefix(wellFormed(text), maxBytes - HASH_SEPARATOR.length - HASH_HEX_CHARACTERS)}${HASH_SEPARATOR}${hash}`;
}

/** True when `text` would be stored as is: well-formed and within `maxBytes` UTF-8 bytes. */
export function isStorableText(text: string, maxBytes: number = MAX_USAGE_VALUE_BYTES): boolean {
  // Three bytes per code unit at most: the common short value is accepted without encoding it.
  if (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes) return false;
  return !LONE_SURROGATE.test(text);
}

/** `text` with every lone surrogate replaced by U+FFFD (what a UTF-8 encoder would write). */
export function wellFormed(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, '\uFFFD') : text;
}

/** The longest prefix of well-formed `text` whose UTF-8 form fits in `maxBytes`, cut between code points. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    const size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}
