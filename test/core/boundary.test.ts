import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * functions/core is pure TypeScript: no AWS SDK, no middy, no Lambda types, no adapters
 * (functions/platform, functions/local, the Lambda handler), no process.env. This walks
 * every file and names the file and line of each violation.
 */

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORE_DIRECTORY = join(REPOSITORY_ROOT, 'functions/core');

const FORBIDDEN_PACKAGES = [/^@aws-sdk\//, /^@middy\//, /^aws-lambda(\/|$)/];
const FORBIDDEN_DIRECTORIES = ['functions/platform/', 'functions/local/'];
const FORBIDDEN_MODULES = [/^functions\/gateway\/handler(\.[jt]s)?$/];
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
const ENVIRONMENT_READ = /\bprocess\s*(?:\.\s*env\b|\[\s*['"]env['"]\s*\])/;

interface Violation {
  file: string;
  line: number;
  reason: string;
}

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function isCommentLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*');
}

function forbiddenImport(specifier: string, fromFile: string): string | undefined {
  if (FORBIDDEN_PACKAGES.some((pattern) => pattern.test(specifier))) return `imports "${specifier}"`;
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(REPOSITORY_ROOT, resolve(dirname(fromFile), specifier)).split('\\').join('/');
  if (FORBIDDEN_DIRECTORIES.some((directory) => `${target}/`.startsWith(directory))) return `imports "${specifier}" (${target})`;
  if (FORBIDDEN_MODULES.some((pattern) => pattern.test(target))) return `imports "${specifier}" (${target})`;
  return undefined;
}

/** Every boundary violation in one file's source. */
function findViolations(source: string, file: string): Violation[] {
  const violations: Violation[] = [];
  const name = relative(REPOSITORY_ROOT, file);
  source.split('\n').forEach((line, index) => {
    if (isCommentLine(line)) return;
    for (const match of line.matchAll(SPECIFIER)) {
      const reason = forbiddenImport(match[1] ?? '', file);
      if (reason) violations.push({ file: name, line: index + 1, reason });
    }
    if (ENVIRONMENT_READ.test(line)) violations.push({ file: name, line: index + 1, reason: 'reads process.env' });
  });
  return violations;
}

function describeViolations(violations: readonly Violation[]): string[] {
  return violations.map((violation) => `${violation.file}:${violation.line} ${violation.reason}`);
}

describe('functions/core boundary', () => {
  it('finds TypeScript files to check under functions/core', () => {
    const files = typeScriptFiles(CORE_DIRECTORY);

    expect(files.length).toBeGreaterThan(20);
  });

  it('has no file that imports an adapter, the AWS SDK, middy or aws-lambda, or reads process.env', () => {
    const files = typeScriptFiles(CORE_DIRECTORY);

    const violations = files.flatMap((file) => findViolations(readFileSync(file, 'utf8'), file));

    expect(describeViolations(violations)).toEqual([]);
  });
});

describe('findViolations', () => {
  const sampleFile = join(CORE_DIRECTORY, 'gateway/sample.ts');

  it.each([
    ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", 'imports "@aws-sdk/client-dynamodb"'],
    ["import middy from '@middy/core';", 'imports "@middy/core"'],
    ["import type { Handler } from 'aws-lambda';", 'imports "aws-lambda"'],
    ["import { x } from '../../platform/dynamo-key-store.js';", 'imports "../../platform/dynamo-key-store.js" (functions/platform/dynamo-key-store.js)'],
    ["export { handler } from '../../gateway/handler.js';", 'imports "../../gateway/handler.js" (functions/gateway/handler.js)'],
    ["const server = await import('../../local/main.js');", 'imports "../../local/main.js" (functions/local/main.js)'],
    ["const key = process.env.OPENAI_API_KEY;", 'reads process.env'],
    ["const key = process.env['OPENAI_API_KEY'];", 'reads process.env'],
    ["const env = process['env'];", 'reads process.env'],
  ])('reports the line when the source has %s', (line, reason) => {
    const source = `// header\n${line}\n`;

    const violations = findViolations(source, sampleFile);

    expect(describeViolations(violations)).toEqual([`functions/core/gateway/sample.ts:2 ${reason}`]);
  });

  it.each([
    "import { matchRoute } from './routes.js';",
    "import { GatewayError } from '../errors.js';",
    "import { createHash } from 'node:crypto';",
    "import { parseDocument } from 'yaml';",
    ' * Adapters in `functions/platform/` implement these ports; never read process.env here.',
  ])('reports nothing when the source has %s', (line) => {
    const violations = findViolations(`${line}\n`, sampleFile);

    expect(violations).toEqual([]);
  });
});
