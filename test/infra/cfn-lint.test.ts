import { describe, expect, it } from 'vitest';
import { CFN_LINT_INSTALL_HINT, findCfnLint, runCfnLint, templatesIn } from '../../scripts/cfn-lint.js';
import { synthResponder, TWO_APIS } from './helpers/synth.js';

describe('cfn-lint', () => {
  it('finds cfn-lint in .venv or on PATH', () => {
    // A missing linter fails here, with the way to install it, rather than skipping the lint.
    expect(findCfnLint(), CFN_LINT_INSTALL_HINT).toBeDefined();
  });

  it.each([
    ['count threshold with two APIs', TWO_APIS],
    [
      'error-rate threshold',
      { ...TWO_APIS, alarm: { errorRatePercent: 5, minRequestCount: 20, evaluationPeriods: 3 } },
    ],
  ] as const)('passes the synthesized template with %s', (_case, settings) => {
    // Prepare
    const executable = findCfnLint();
    if (executable === undefined) throw new Error(CFN_LINT_INSTALL_HINT);
    const { app, outdir } = synthResponder(settings);
    app.synth();
    const templates = templatesIn(outdir);
    expect(templates).toHaveLength(1);
    // Act
    const { exitCode, output } = runCfnLint(templates, executable);
    // Assess
    expect(output).toBe('');
    expect(exitCode).toBe(0);
  });
});
