import type { Request } from 'express';
import { z } from 'zod';
import { ValidationFailed } from '../errors.js';

/** The path of the first string holding a NUL character, which no text field of Parley's accepts. */
function nulPath(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = nulPath(inner, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** Parses one part of a request with its schema; every problem is reported, unknown keys refused. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, part: string): z.infer<S> {
  const nul = nulPath(value);
  if (nul) {
    const path = nul.join('.');
    throw new ValidationFailed(`Invalid ${part}: ${path ? `${path}: ` : ''}text must not contain NUL characters`, [{ path, message: 'text must not contain NUL characters' }]);
  }
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new ValidationFailed(`Invalid ${part}: ${summary}`, issues);
}

export const parseBody = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.body, 'body');
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.query, 'query');
export const parseParams = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.params, 'params');
