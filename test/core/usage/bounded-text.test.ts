import { describe, expect, it } from 'vitest';
import { boundText, MAX_USAGE_VALUE_BYTES } from '../../../functions/core/usage/bounded-text.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('boundText', () => {
  it('returns the text itself when it is well-formed and at most 256 bytes', () => {
    const text = 'é'.repeat(128);

    expect(boundText(text)).toBe(text);
  });

  it('keeps a prefix and a hash within 256 bytes when the text is longer', () => {
    const bounded = boundText(`agent-run-${'x'.repeat(3_000)}`);

    expect(bytes(bounded)).toBeLessThanOrEqual(MAX_USAGE_VALUE_BYTES);
    expect(bounded).toMatch(/^agent-run-x+~[0-9a-f]{32}$/);
  });

  it('gives distinct bounded forms when two long texts share everything but their end', () => {
    const prefix = 'u'.repeat(2_000);

    expect(boundText(`${prefix}a`)).not.toBe(boundText(`${prefix}b`));
  });

  it('gives the same bounded form again when the same text comes again or is bounded twice', () => {
    const bounded = boundText('v'.repeat(1_000));

    expect([boundText('v'.repeat(1_000)), boundText(bounded)]).toEqual([bounded, bounded]);
  });

  it('cuts between code points when the text is made of 4-byte characters', () => {
    const bounded = boundText('😀'.repeat(100));

    expect(bounded.includes('\uFFFD')).toBe(false);
    expect(bytes(bounded)).toBeLessThanOrEqual(MAX_USAGE_VALUE_BYTES);
    expect(bounded.split('~')[0]).toBe('😀'.repeat(55));
  });

  it('replaces a lone surrogate and keeps apart texts that differ only in theirs when the text is not well-formed', () => {
    const [high, low] = [boundText('a\uD800'), boundText('a\uDC00')];

    expect(high.startsWith('a\uFFFD~')).toBe(true);
    expect(high).not.toBe(low);
  });
});
