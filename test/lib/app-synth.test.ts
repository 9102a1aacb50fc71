// Runs bin/app.ts the way `npx cdk synth` does (a child process; CDK_OUTDIR and CDK_CONTEXT_JSON
// set as the CLI sets them), bundling skipped, so what an operator sees on a broken config is tested.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../functions/core/config/validate-config.js';
import { NO_BUNDLING, UNKNOWN_PROVIDER_CONFIG, writeTemporaryConfig } from './stack-test-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE_CONFIG = fileURLToPath(new URL('fixtures/gateway.example.yaml', import.meta.url));

interface SynthResult {
  code: number | null;
  stderr: string;
  outdir: string;
}

function synthApp(context: Record<string, unknown>, env: Record<string, string> = {}): Promise<SynthResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'app-synth-test-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...NO_BUNDLING, ...context }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, outdir }));
  });
}

// Each test is a child process running tsx, CDK and cdk-nag; four at once on two cores can take a while.
describe.concurrent('bin/app.ts synth', { timeout: 90_000 }, () => {
  it('writes the LlmGateway template, checked by cdk-nag, from the example config', async () => {
    const { code, stderr, outdir } = await synthApp({ config: EXAMPLE_CONFIG });

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'LlmGateway.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function')).toHaveLength(3);
  });

  it('names the stack LlmGateway-dev for stage dev', async () => {
    const { code, outdir } = await synthApp({ stage: 'dev' });

    expect(code).toBe(0);
    expect(existsSync(join(outdir, 'LlmGateway-dev.template.json'))).toBe(true);
  });

  it('fails with exit code 1 and the config problems local start-up prints, without a stack trace, when the config is invalid', async () => {
    const configPath = writeTemporaryConfig(UNKNOWN_PROVIDER_CONFIG);

    const { code, stderr } = await synthApp({ config: configPath });

    expect(code).toBe(1);
    expect(stderr).toContain(`${configPath}: Invalid gateway config:\n`);
    for (const problem of validateConfigText(UNKNOWN_PROVIDER_CONFIG)) expect(stderr).toContain(`  - ${problem}\n`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('fails with exit code 1 listing the wrong context values', async () => {
    const { code, stderr } = await synthApp({ stage: 'staging', memoryMb: '64' });

    expect(code).toBe(1);
    expect(stderr).toMatch(/^Invalid CDK context \(-c key=value\) \(2 problems\):\n {2}- stage: .*\n {2}- memoryMb: /);
  });
});

// One at a time, after the four above: each is another full synthesis on a shared 2-core machine.
describe('bin/app.ts synth with edge protection', { timeout: 90_000 }, () => {
  it('puts CloudFront and WAF in front of the gateway when edgeProtection is true and the CLI region is us-east-1', async () => {
    const { code, stderr, outdir } = await synthApp({ edgeProtection: 'true' }, { CDK_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '123456789012' });

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'LlmGateway.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types.filter((type) => type === 'AWS::CloudFront::Distribution' || type === 'AWS::WAFv2::WebACL')).toHaveLength(2);
  });

  it('fails with exit code 1 naming us-east-1 when edgeProtection is true and the CLI region is another', async () => {
    const { code, stderr } = await synthApp({ edgeProtection: 'true' }, { CDK_DEFAULT_REGION: 'eu-west-1', CDK_DEFAULT_ACCOUNT: '123456789012' });

    expect(code).toBe(1);
    expect(stderr).toContain('edgeProtection: WAF for CloudFront exists only in us-east-1; the stack is in eu-west-1');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
