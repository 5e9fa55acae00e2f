import { describe, expect, it } from 'vitest';
import { IdFilter } from '../../lambda/trace/id-filter.js';

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe('IdFilter', () => {
  it('never forgets an id it was given, and rarely claims one it was not', () => {
    const filter = new IdFilter();
    for (let i = 0; i < 1_000_000; i++) filter.add(uuid(i));
    for (let i = 0; i < 1_000_000; i += 997) expect(filter.has(uuid(i))).toBe(true);
    // Ids never added, after a million were: false "yes" answers must be rare (about 1 in 20,000 expected).
    let claimed = 0;
    for (let i = 1_000_000; i < 1_200_000; i++) if (filter.has(uuid(i))) claimed++;
    expect(claimed).toBeLessThan(40);
  });

  it('tells ids apart that differ in one character', () => {
    const filter = new IdFilter();
    filter.add('5cb7ee58-39e6-11e9-be7e-29aff96747f2');
    expect(filter.has('5cb7ee58-39e6-11e9-be7e-29aff96747f2')).toBe(true);
    expect(filter.has('5cb7ee58-39e6-11e9-be7e-29aff96747f3')).toBe(false);
    expect(filter.has('')).toBe(false);
  });
});
