// `npm start` (functions/local/main.ts) run as a child process, as an operator runs it: the prices
// of its config's deployments are resolved from @pydantic/genai-prices at start-up, named in its
// start-up lines, and used to cost what it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MASTER_KEY = 'sk-local-main-prices-master-key';

describe('npm start prices', { timeout: 60_000 }, () => {
  let upstream: FakeUpstream;
  let child: ChildProcess;
  let directory: string;
  let stderr = '';
  let url = '';

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    directory = mkdtempSync(join(tmpdir(), 'local-main-prices-'));
    const configPath = join(directory, 'gateway.yaml');
    // gpt-5-mini is not in the core's old hand-kept table: only the database prices it.
    writeFileSync(
      configPath,
      [
        'model_list:',
        '  - model_name: mini',
        '    litellm_params:',
        '      model: openai/gpt-5-mini',
        `      api_base: ${upstream.baseUrl}`,
        '      api_key: sk-local-main-prices-provider-key',
        'general_settings:',
        '  master_key: os.environ/GATEWAY_MASTER_KEY',
        '',
      ].join('\n'),
    );
    child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], GATEWAY_CONFIG: configPath, GATEWAY_DYNAMODB: 'off', GATEWAY_MASTER_KEY: MASTER_KEY, PORT: '0', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        // The start-up lines are written at once, the listening line first and the prices after it.
        const listening = /listening on (http:\/\/\S+)/.exec(stderr);
        if (listening && stderr.includes('\nprices: ')) resolve(listening[1]!);
      });
      child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
    });
  });

  afterAll(async () => {
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await upstream?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('names the price database and its version in its start-up lines', () => {
    expect(stderr).toMatch(/\nprices: @pydantic\/genai-prices 0\.1\.\d+ \(as of \d{4}-\d{2}-\d{2}\), found for 1 of 1 billed deployment\n/);
  });

  it("costs a completion at the database's price for the deployment", async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });

    const { response } = await client.chat.completions.create({ model: 'mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();

    // The recorded answer: 16 prompt and 363 completion tokens, at $0.25 and $2 per million.
    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.00073');
  });
});
