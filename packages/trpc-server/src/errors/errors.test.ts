import { TaskpulseError, TaskpulseErrorCode } from '@taskpulse/core';
import { StandardSchemaV1Error, type TRPCDefaultErrorShape, TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TRPC_CODE_BY_TASKPULSE_CODE } from './codes.ts';
import { taskpulseErrorShapeSchema } from './error-schema.ts';
import { formatTaskpulseError, retryAfterSeconds } from './format-error.ts';
import { validationIssues } from './issues.ts';
import { RateLimitedError } from './rate-limited-error.ts';
import { toTRPCError } from './to-trpc-error.ts';

const defaultShape = (error: TRPCError): TRPCDefaultErrorShape => ({
  message: error.message,
  code: -32600,
  data: { code: error.code, httpStatus: 400, path: 'tasks.create', stack: 'Error: at secret.ts:1' },
});

describe('toTRPCError', () => {
  it.each(Object.values(TaskpulseErrorCode))(
    'maps a core %s error to its tRPC code, keeping the message',
    (code) => {
      const mapped = toTRPCError(new TaskpulseError(code, `the ${code} message`));
      expect(mapped.code).toBe(TRPC_CODE_BY_TASKPULSE_CODE[code]);
      expect(mapped.message).toBe(`the ${code} message`);
    },
  );

  it('maps a core error that tRPC wrapped as INTERNAL_SERVER_ERROR', () => {
    const wrapped = new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      cause: new TaskpulseError('NOT_FOUND', 'No such task.'),
    });
    expect(toTRPCError(wrapped)).toMatchObject({ code: 'NOT_FOUND', message: 'No such task.' });
  });

  it('answers an unreachable database with SERVICE_UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(toTRPCError(refused).code).toBe('SERVICE_UNAVAILABLE');
    expect(toTRPCError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: refused })).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });

  it('gives anything else unexpected a generic message, never the original', () => {
    const mapped = toTRPCError(new Error('syntax error at or near "SELECT secret"'));
    expect(mapped.code).toBe('INTERNAL_SERVER_ERROR');
    expect(mapped.message).not.toContain('SELECT');
  });

  it('keeps a TRPCError with a code of its own', () => {
    const error = new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'slow down' });
    expect(toTRPCError(error)).toBe(error);
  });
});

describe('formatTaskpulseError', () => {
  it('turns a zod failure into issues with full paths and a message naming them', () => {
    const parsed = z
      .object({ title: z.string().min(1), tags: z.array(z.string()) })
      .safeParse({ title: '', tags: ['ok', 3] });
    const error = new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
    const shape = formatTaskpulseError({ shape: defaultShape(error), error }, { production: true });
    expect(shape.data.issues?.map((issue) => issue.path)).toEqual([['title'], ['tags', 1]]);
    expect(shape.message).toMatch(/^Check the input: title: .*; tags\.1: /);
  });

  it('reads Standard Schema failures and core VALIDATION errors alike', () => {
    expect(
      validationIssues(new StandardSchemaV1Error([{ message: 'bad', path: [{ key: 'a' }, 0] }])),
    ).toEqual([{ path: ['a', 0], message: 'bad' }]);
    expect(
      validationIssues(
        new TaskpulseError('VALIDATION', 'x', { issues: [{ path: ['due'], message: 'late' }] }),
      ),
    ).toEqual([{ path: ['due'], message: 'late' }]);
    expect(validationIssues(new Error('plain'))).toBeUndefined();
  });

  it('never sends a stack, and hides internal messages in production only', () => {
    const error = new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'middleware forgot next()',
    });
    const shape = {
      ...defaultShape(error),
      data: { ...defaultShape(error).data, httpStatus: 500 },
    };
    const production = formatTaskpulseError({ shape, error }, { production: true });
    expect(production.message).not.toContain('middleware');
    expect(production.data).not.toHaveProperty('stack');
    const development = formatTaskpulseError({ shape, error }, { production: false });
    expect(development.message).toBe('middleware forgot next()');
    expect(development.data).not.toHaveProperty('stack');
    expect(development.data.path).toBe('tasks.create');
  });

  it('adds retryAfterMs to a rate-limit error, and Retry-After takes the longest wait', () => {
    const first = new RateLimitedError('user', 1_200);
    const error = new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: first.message,
      cause: first,
    });
    expect(
      formatTaskpulseError({ shape: defaultShape(error), error }, { production: true }).data
        .retryAfterMs,
    ).toBe(1_200);
    const second = new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      cause: new RateLimitedError('ip', 4_100),
    });
    expect(retryAfterSeconds([error, second, new TRPCError({ code: 'NOT_FOUND' })])).toBe(5);
    expect(retryAfterSeconds([new TRPCError({ code: 'NOT_FOUND' })])).toBeUndefined();
  });
});

describe('taskpulseErrorShapeSchema', () => {
  // that it is the TaskpulseErrorShape type is checked in errors.test-d.ts
  it('accepts what formatTaskpulseError answers', () => {
    const error = new TRPCError({
      code: 'BAD_REQUEST',
      cause: new TaskpulseError('VALIDATION', 'bad', {
        issues: [{ path: ['title', 0], message: 'too long' }],
      }),
    });
    const shape = formatTaskpulseError(
      {
        error,
        shape: {
          message: 'bad',
          code: -32600,
          data: { code: 'BAD_REQUEST', httpStatus: 400, path: 'tasks.create' },
        } as TRPCDefaultErrorShape,
      },
      { production: true },
    );
    expect(taskpulseErrorShapeSchema.parse(shape)).toEqual(shape);
    expect(taskpulseErrorShapeSchema.safeParse({ ...shape, code: 7 }).success).toBe(false);
  });
});
