import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { toolAvailable } from '../support/python-tools';
import { CDK_TEST_TIMEOUT_MS, stages, synthCouncilStacks } from './council-templates';

const run = promisify(execFile);

/** Warnings cfn-lint gives on these templates that are not ours to fix, each with its reason. */
const knownWarnings: Record<string, string> = {
  W3005:
    "CDK's Function construct makes each function DependsOn its role as well as naming the role by GetAtt; the repeated dependency is harmless and comes from aws-cdk-lib, not from this stack.",
};

interface Finding {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Message: string;
  Filename: string;
}

describe.skipIf(!toolAvailable('cfn-lint'))('cfn-lint on every synthesized template', () => {
  it(
    'finds no error in either stage of either council, and only the warnings listed with their reasons',
    async () => {
      const assemblies = stages.map((stage) => synthCouncilStacks({ stage }).app.synth());
      onTestFinished(() => {
        for (const assembly of assemblies) rmSync(assembly.directory, { recursive: true, force: true });
      });
      const templates = assemblies.flatMap((assembly) => assembly.stacks.map((s) => s.templateFullPath));
      expect(templates).toHaveLength(4);
      // cfn-lint exits non-zero when it finds anything; its JSON report is what is read.
      const { stdout } = await run('cfn-lint', ['--format', 'json', '--', ...templates], {
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string }) => {
        if (!error.stdout) throw new Error(`cfn-lint did not run: ${error.stderr}`);
        return { stdout: error.stdout };
      });
      const findings = JSON.parse(stdout) as Finding[];
      const shown = (f: Finding) => `${f.Level} ${f.Rule.Id} ${f.Filename}: ${f.Message}`;
      expect(findings.filter((f) => f.Level === 'Error').map(shown)).toEqual([]);
      expect(
        findings.filter((f) => f.Level === 'Warning' && !(f.Rule.Id in knownWarnings)).map(shown),
      ).toEqual([]);
      for (const reason of Object.values(knownWarnings)) expect(reason.split(' ').length).toBeGreaterThan(8);
    },
    CDK_TEST_TIMEOUT_MS,
  );
});
