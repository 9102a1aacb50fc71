import type { JsonObject } from '../../openai/openai-types.js';
import type { GeminiCompletedCall } from './gemini-tool-call.js';
import { arrayOr, isObject } from '../json-values.js';

type PathSegment = string | number;

/**
 * A function call Gemini streams in pieces (Gemini 3 with streamed function-call arguments:
 * google-stream-tool-call-arguments.chunks.txt): a part `{name, willContinue: true}` opens it,
 * parts `{partialArgs: [{jsonPath: "$.location", stringValue: "Bos", willContinue: true}], willContinue: true}`
 * add to its arguments (a string continues while its previous piece said `willContinue`), and a
 * part without `willContinue` (often just `{}`) closes it. The arguments are assembled here and
 * the call is handed on whole, so a client gets one delta with valid JSON.
 */
export interface StreamedFunctionCall {
  readonly name: string;
  /** Adds one part's `partialArgs`. */
  accumulate(partialArgs: unknown): void;
  /** The first thought signature wins (Gemini puts it on the opening part). */
  sign(thoughtSignature: string | undefined): void;
  complete(): GeminiCompletedCall;
}

export function startStreamedFunctionCall(name: string, args: unknown, thoughtSignature: string | undefined): StreamedFunctionCall {
  const accumulated: JsonObject = isObject(args) ? structuredClone(args) : {};
  let signature = thoughtSignature;
  let openStringPath: string | undefined;
  return {
    name,
    accumulate(partialArgs) {
      for (const partialArg of arrayOr(partialArgs)) {
        if (!isObject(partialArg) || typeof partialArg['jsonPath'] !== 'string') continue;
        const segments = parseJsonPath(partialArg['jsonPath']);
        if (segments === undefined || segments.length === 0) continue;
        const pathKey = JSON.stringify(segments);
        const value = partialArgValue(partialArg);
        if (value === undefined) continue;
        const continues = typeof value === 'string' && openStringPath === pathKey;
        const previous = continues ? getPath(accumulated, segments) : undefined;
        setPath(accumulated, segments, typeof previous === 'string' ? previous + (value as string) : value);
        openStringPath = typeof value === 'string' && partialArg['willContinue'] === true ? pathKey : undefined;
      }
    },
    sign(thoughtSignature) {
      signature ??= thoughtSignature;
    },
    complete: () => ({ name, args: accumulated, ...(signature !== undefined ? { thoughtSignature: signature } : {}) }),
  };
}

/** Gathers one candidate's function calls from its parts, whole or streamed in pieces. */
export interface FunctionCallCollector {
  /** One part's `functionCall` (and the part's thought signature) → the calls it completes. */
  add(functionCall: unknown, thoughtSignature: string | undefined): GeminiCompletedCall[];
  /** Completes a call still open (the candidate finished, or the stream ended, before its closing part). */
  flush(): GeminiCompletedCall[];
}

export function createFunctionCallCollector(): FunctionCallCollector {
  let open: StreamedFunctionCall | undefined;
  const flush = (): GeminiCompletedCall[] => {
    const completed = open ? [open.complete()] : [];
    open = undefined;
    return completed;
  };
  return {
    add(functionCall, thoughtSignature) {
      const fields = isObject(functionCall) ? functionCall : {};
      const name = typeof fields['name'] === 'string' && fields['name'] !== '' ? fields['name'] : undefined;
      const completed = name !== undefined ? flush() : [];
      if (name !== undefined) open = startStreamedFunctionCall(name, fields['args'], thoughtSignature);
      else if (open) open.sign(thoughtSignature);
      else return completed; // a piece with no call open: nothing to add it to
      open.accumulate(fields['partialArgs']);
      if (fields['willContinue'] !== true) completed.push(...flush());
      return completed;
    },
    flush,
  };
}

function partialArgValue(partialArg: JsonObject): unknown {
  if (typeof partialArg['stringValue'] === 'string') return partialArg['stringValue'];
  if (typeof partialArg['numberValue'] === 'number') return partialArg['numberValue'];
  if (typeof partialArg['boolValue'] === 'boolean') return partialArg['boolValue'];
  if ('nullValue' in partialArg) return null;
  return undefined;
}

/** `$.recipe.items[0].name` (and `$['odd.key']`) → ['recipe', 'items', 0, 'name']; undefined when unreadable. */
export function parseJsonPath(jsonPath: string): PathSegment[] | undefined {
  if (!jsonPath.startsWith('$')) return undefined;
  const segments: PathSegment[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < jsonPath.length) {
    const match = pattern.exec(jsonPath);
    if (!match) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4] ?? '').replace(/\\(.)/g, '$1'));
  }
  return segments;
}

function getPath(root: JsonObject, segments: readonly PathSegment[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** Sets a value, creating objects and arrays on the way; own data properties only, so `__proto__` is just a key. */
function setPath(root: JsonObject, segments: readonly PathSegment[], value: unknown): void {
  let current: Record<PathSegment, unknown> = root;
  segments.forEach((segment, position) => {
    if (position === segments.length - 1) {
      defineOwn(current, segment, value);
      return;
    }
    const existing = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (typeof existing !== 'object' || existing === null) defineOwn(current, segment, typeof segments[position + 1] === 'number' ? [] : {});
    current = current[segment] as Record<PathSegment, unknown>;
  });
}

function defineOwn(target: Record<PathSegment, unknown>, key: PathSegment, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}
