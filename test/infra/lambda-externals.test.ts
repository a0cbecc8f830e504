import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { bundleMetafile } from '../../bench/bundle-contents';
import { credentialProvidersLambdaNeverLoads } from '../../infra/constructs/pipeline-function';
import { type FunctionName, pipelineFunctions } from '../../infra/council-stack';
import { CDK_TEST_TIMEOUT_MS } from './council-templates';

// Building and checking stacks takes seconds on a quiet machine and far longer on a loaded 2-core one.
vi.setConfig({ testTimeout: CDK_TEST_TIMEOUT_MS });

const projectRoot = join(import.meta.dirname, '..', '..');
const isLeftOut = (path: string) =>
  credentialProvidersLambdaNeverLoads.some((name) => path === name || path.startsWith(`${name}/`));

/** How each function's code imports the modules its bundle leaves out, as esbuild resolved them. */
const importsOfLeftOut = async (name: FunctionName) => {
  const metafile = await bundleMetafile(join(projectRoot, 'functions', name, 'handler.ts'));
  return Object.values(metafile.inputs).flatMap((input) =>
    input.imports.filter((entry) => isLeftOut(entry.path)).map(({ path, kind }) => ({ path, kind })),
  );
};

describe('modules left out of the Lambda bundles', () => {
  it.each(Object.keys(pipelineFunctions) as FunctionName[])(
    'are reached from the %s function only through a dynamic import, so a missing one never stops init',
    async (name) => {
      const imports = await importsOfLeftOut(name);
      expect(imports.length).toBeGreaterThan(0);
      expect(imports.filter(({ kind }) => kind !== 'dynamic-import')).toEqual([]);
    },
  );
});
