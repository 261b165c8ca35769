import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/respond.ts';
import { parseOrderInput, parseRenderInput } from './validate.ts';

function errorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error;
  }
  throw new Error('expected an HttpError');
}

describe('parseOrderInput', () => {
  it('accepts a valid order and trims sku and email', () => {
    expect(parseOrderInput({ sku: ' LUN-MUG-002 ', quantity: 3, email: ' ada@example.com ' })).toEqual({
      sku: 'LUN-MUG-002',
      quantity: 3,
      email: 'ada@example.com',
    });
  });

  it('lists every problem in one 400 invalid_order', () => {
    const error = errorOf(() => parseOrderInput({ sku: '', quantity: 1.5, email: 'nope' }));
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'invalid_order',
      'sku: expected a product SKU string; quantity: expected an integer from 1 to 100, got 1.5; email: expected an email address like name@example.com',
    ]);
  });

  it('rejects quantities outside 1..100 and strings', () => {
    expect(errorOf(() => parseOrderInput({ sku: 'A', quantity: 101, email: 'a@b.co' })).message).toBe(
      'quantity: expected an integer from 1 to 100, got 101',
    );
    expect(errorOf(() => parseOrderInput({ sku: 'A', quantity: '2', email: 'a@b.co' })).message).toBe(
      'quantity: expected an integer from 1 to 100, got "2"',
    );
    expect(errorOf(() => parseOrderInput({ sku: 'A', email: 'a@b.co' })).message).toBe(
      'quantity: expected an integer from 1 to 100, got null',
    );
  });
});

describe('parseRenderInput', () => {
  it('accepts a sandbox render', () => {
    expect(parseRenderInput({ prompt: ' a fox ', sandbox: true })).toEqual({
      prompt: 'a fox',
      sandbox: true,
      kind: 'render',
      sourceId: null,
    });
  });

  it('requires sandbox: true and a prompt', () => {
    const noSandbox = errorOf(() => parseRenderInput({ prompt: 'a fox' }));
    expect([noSandbox.status, noSandbox.code, noSandbox.message]).toEqual([
      400,
      'sandbox_required',
      'sandbox: only sandbox renders run here; send "sandbox": true',
    ]);
    const noPrompt = errorOf(() => parseRenderInput({ prompt: '  ', sandbox: true }));
    expect([noPrompt.code, noPrompt.message]).toEqual([
      'invalid_render',
      'prompt: expected a non-empty string of at most 1000 characters',
    ]);
  });
});
