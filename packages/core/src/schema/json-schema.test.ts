import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTaskInput, listTasksInput, taskSchema } from '../index.ts';
import { instantSchema } from './inputs.ts';
import { wireJsonSchema } from './json-schema.ts';
import { text } from './text.ts';

describe('wireJsonSchema', () => {
  it('writes instants as ISO-8601 strings, with no branch for a JavaScript Date', () => {
    const schema = wireJsonSchema(
      z.object({ at: instantSchema, maybe: instantSchema.nullable() }),
      'input',
    );
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(properties.at?.anyOf).toBeUndefined();
    expect(properties.maybe?.anyOf).toEqual([
      expect.objectContaining({ type: 'string', format: 'date-time' }),
      { type: 'null' },
    ]);
    expect(JSON.stringify(schema)).not.toMatch(/taskpulse:date|\$schema/);
  });

  it('gives text lengths in characters, and descriptions', () => {
    const properties = wireJsonSchema(createTaskInput, 'input').properties as Record<
      string,
      Record<string, unknown>
    >;
    expect(properties.title).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: expect.any(String),
    });
    expect(wireJsonSchema(text(0, 5), 'input')).toEqual({
      type: 'string',
      minLength: 0,
      maxLength: 5,
    });
  });

  it('leaves defaults optional on input and required on output', () => {
    expect(wireJsonSchema(listTasksInput, 'input').required).toBeUndefined();
    expect(wireJsonSchema(taskSchema, 'output').required).toContain('createdAt');
    const defaults = wireJsonSchema(z.object({ n: z.number().default(1) }), 'output');
    expect(defaults.required).toEqual(['n']);
  });
});
