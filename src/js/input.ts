/**
 * Reading what a page passes in: JS types are checked here, defensively (a throwing
 * getter becomes a coded error), and values in Rust.
 * @module
 */

import { inputError } from './wasm/shelfwise.js';
import type { ErrorCode } from './wire.js';

/** Every error Shelfwise throws is an `Error` named `ShelfwiseError` with a stable code. */
export interface ShelfwiseError extends Error {
  name: 'ShelfwiseError';
  code: ErrorCode;
}

export function isShelfwiseError(error: unknown): error is ShelfwiseError {
  return error instanceof Error && error.name === 'ShelfwiseError' && typeof (error as { code?: unknown }).code === 'string';
}

export type InputKind = 'event' | 'products' | 'options' | 'argument' | 'import';
/** Control characters: never valid in a value, and the separators above are among them. */
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Own, readable fields of a plain object; anything else (or a throwing getter) is a coded error. */
export function fields(what: InputKind, value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw inputError(what, `${name} must be an object`);
  }
  // A copy of its own fields, read once: a getter or proxy that throws becomes a coded
  // error here, and a `__proto__` key stays a plain field.
  try {
    return { ...value } as Record<string, unknown>;
  } catch (error) {
    throw inputError(what, `${name} could not be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function optionalText(what: InputKind, value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw inputError(what, `${name} must be a string`);
  return value;
}

export function optionalNumber(what: InputKind, value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  // NaN and ±Infinity pass on: the core rejects them with the field's rule.
  if (typeof value !== 'number') throw inputError(what, `${name} must be a number`);
  return value;
}

/** An optional array of strings. */
export function optionalTexts(what: InputKind, value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw inputError(what, `${name} must be an array of strings`);
  }
  return value as string[];
}

/** An event's fields beyond those its type takes are a mistake worth reporting. */
export function noOtherFields(rest: Record<string, unknown>): void {
  const extra = Object.keys(rest);
  if (extra.length > 0) throw inputError('event', `unknown field "${extra[0]}"`);
}

/** Reads `fn` defensively: a getter that throws becomes a coded error. */
export function guarded<T>(what: InputKind, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isShelfwiseError(error)) throw error;
    throw inputError(what, `cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
