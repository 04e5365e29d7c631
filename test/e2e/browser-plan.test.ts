// Browser suites never skip silently in CI: without Chromium they fail with the reason.
import { describe, expect, it } from 'vitest';
import { browserPlan } from '../helpers/browser.ts';

describe('browser suites without Chromium', () => {
  it('fail under CI=true, skip on a developer machine, run when Chromium is there', () => {
    expect(browserPlan(null, { CI: 'true' })).toBe('fail');
    expect(browserPlan(null, { CI: '1' })).toBe('fail');
    expect(browserPlan(null, {})).toBe('skip');
    expect(browserPlan('/usr/bin/chromium', { CI: 'true' })).toBe('run');
  });
});
