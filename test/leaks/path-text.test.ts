// How a path reads as one line: hops a developer does not write are left out, and a linked structure walked
// link by link reads as its repeated group once, with a count.
import { describe, expect, test } from 'vitest';
import { type NamedStep, pathText } from '../../src/analysis/path-names.js';

const step = (...tokens: string[]): NamedStep => ({ edge: '', edgeType: 'property', id: 0, className: '', tokens });

describe('pathText', () => {
  test('tokens joined by arrows; steps without tokens (a Map table) leave nothing', () => {
    expect(pathText([step('(global)'), step('sessions'), step(), step("['s1']", 'Session')])).toBe(
      "(global) → sessions → ['s1'] → Session",
    );
  });

  test('a hop repeated three or more times reads once with a count; twice stays as it is', () => {
    const walk = (n: number) => [step('queue'), ...Array.from({ length: n }, () => step('next')), step('body')];
    expect(pathText(walk(5))).toBe('queue → next ×5 → body');
    expect(pathText(walk(2))).toBe('queue → next → next → body');
  });

  test('a repeated group of two or three hops reads as the group with a count', () => {
    const pairs = Array.from({ length: 4 }, () => [step('reactions_or_result'), step('Promise')]).flat();
    expect(pathText([step('ready'), ...pairs])).toBe('ready → (reactions_or_result → Promise) ×4');
    const triples = Array.from({ length: 3 }, () => [step('a'), step('b'), step('c')]).flat();
    expect(pathText(triples)).toBe('(a → b → c) ×3');
  });
});
