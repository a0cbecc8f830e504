import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge } from '../../bench/bench-report';
import { percentile, summarise } from '../../bench/stats';

describe('bench statistics', () => {
  it('takes the nearest-rank percentile: p50 of 1..10 is 5, p99 of 1..100 is 99', () => {
    const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(percentile(upTo(10), 50)).toBe(5);
    expect(percentile(upTo(100), 99)).toBe(99);
    expect(percentile(upTo(100), 100)).toBe(100);
  });

  it('summarises samples in any order the same way, p50 <= p99 <= max, each a real sample', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }), (samples) => {
        const summary = summarise(samples);
        expect(summarise([...samples].reverse())).toEqual(summary);
        expect(summary.p50).toBeLessThanOrEqual(summary.p99);
        expect(summary.p99).toBeLessThanOrEqual(summary.max);
        expect(samples).toContain(summary.p99);
      }),
    );
  });

  it('refuses to summarise no samples rather than inventing a figure', () => {
    expect(() => summarise([])).toThrow(RangeError);
  });

  it('judges a figure against its target: a time over its limit misses, a throughput under its floor misses', () => {
    const figure = { hop: 'h', name: 'n', unit: 'ms' };
    expect(judge({ ...figure, value: 250, target: { atMost: 250 } }).verdict).toBe('PASS');
    expect(judge({ ...figure, value: 251, target: { atMost: 250 } }).verdict).toBe('MISS');
    expect(judge({ ...figure, value: 9, target: { atLeast: 10 } }).verdict).toBe('MISS');
    expect(judge({ ...figure, value: 9 }).verdict).toBe('');
  });
});
