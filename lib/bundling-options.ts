/**
 * How every function of the gateway is bundled, in one place for the stack (NodejsFunction's
 * local esbuild) and for `bench/cold-start.ts` (esbuild's API), so the benchmark measures the
 * very bundle that is deployed. No CDK import here: the benchmark loads this file alone.
 */
import type { InlinedPrices } from '../functions/platform/genai-price-catalog.js';

/** Node.js 22 on Lambda; the bundle targets the same version. */
export const BUNDLE_TARGET = 'node22';

/**
 * Nothing is left out: the AWS SDK clients are bundled too, at the versions in package-lock.json,
 * rather than loaded from the runtime's own copy (NodejsFunction's default, `@aws-sdk/*` external).
 * One minified file imports much faster than the SDK's hundreds of modules: `npx tsx
 * bench/cold-start.ts` measured the gateway's import at about 60 ms bundled against about 160 ms
 * with `@aws-sdk/*` external, for 0.66 MB instead of 0.31 MB minified.
 */
export const EXTERNAL_MODULES: readonly string[] = [];

/** `module` before `main`: the ESM build of packages that ship both. */
export const MAIN_FIELDS: readonly string[] = ['module', 'main'];

/** ESM bundles have no `require`; esbuild's shim for bundled CommonJS needs one. */
export const REQUIRE_SHIM_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);";

/** The gateway config YAML, inlined at build time under this global name (functions/gateway/handler.ts reads it). */
export const CONFIG_DEFINE_NAME = '__GATEWAY_CONFIG_YAML__';

/**
 * The configured deployments' prices (InlinedPrices as JSON text), inlined under this global name
 * (functions/gateway/handler.ts reads it). Resolved from `@pydantic/genai-prices` at synth, so
 * the bundle carries these few prices rather than the whole database (~800 KB).
 */
export const PRICES_DEFINE_NAME = '__GATEWAY_PRICES_JSON__';

/** esbuild `define` entries for one config and, for the gateway, its resolved prices. */
export function bundleDefines(configYaml: string, prices?: InlinedPrices): Record<string, string> {
  return {
    [CONFIG_DEFINE_NAME]: JSON.stringify(configYaml),
    ...(prices === undefined ? {} : { [PRICES_DEFINE_NAME]: JSON.stringify(JSON.stringify(prices)) }),
  };
}

/**
 * The esbuild build options NodejsFunction passes (as CLI flags) for the stack's functions:
 * bundled (the AWS SDK included), minified ESM for Node 22 on the node platform, an external
 * source map without sources, the `require` shim, the inlined config and (gateway) prices. Add
 * `entryPoints` and `outfile` (NodejsFunction writes `index.mjs`).
 */
export function esbuildOptions(configYaml: string, prices?: InlinedPrices): EsbuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...EXTERNAL_MODULES],
    mainFields: [...MAIN_FIELDS],
    banner: { js: REQUIRE_SHIM_BANNER },
    define: bundleDefines(configYaml, prices),
  };
}

/** The subset of esbuild's BuildOptions used here (structurally compatible with it). */
export interface EsbuildOptions {
  bundle: true;
  platform: 'node';
  format: 'esm';
  target: string;
  minify: boolean;
  sourcemap: boolean;
  sourcesContent: boolean;
  external: string[];
  mainFields: string[];
  banner: { js: string };
  define: Record<string, string>;
}

/** The Lambda entry files, relative to the project root, by function. */
export const FUNCTION_ENTRIES = {
  gateway: 'functions/gateway/handler.ts',
  admin: 'functions/admin/handler.ts',
  aggregator: 'functions/aggregator/handler.ts',
} as const;
