import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTaskInput, listTasksInput, pageSchema, taskSchema } from '../index.ts';
import { instantSchema } from './inputs.ts';
import { wireJsonSchema, wireJsonSchemas } from './json-schema.ts';
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

describe('wireJsonSchemas', () => {
  const ref = (name: string) => `#/components/schemas/${name}`;

  it('refers to a named schema wherever another one holds it, and converts each like wireJsonSchema', () => {
    const page = pageSchema(taskSchema);
    const schemas = wireJsonSchemas({ Task: taskSchema, TaskPage: page }, 'output', { ref });
    expect(schemas.Task).toEqual(wireJsonSchema(taskSchema, 'output'));
    const items = (schemas.TaskPage!.properties as Record<string, Record<string, unknown>>).items;
    expect(items).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Task' } });
    expect(JSON.stringify(schemas)).not.toMatch(/taskpulse:date|\$schema|\$id/);
  });

  it('inlines what has no name, and refuses one schema under two names', () => {
    const schemas = wireJsonSchemas({ TaskPage: pageSchema(taskSchema) }, 'output', { ref });
    expect(JSON.stringify(schemas)).not.toContain('$ref');
    expect(() => wireJsonSchemas({ A: taskSchema, B: taskSchema }, 'output', { ref })).toThrow(
      /named both A and B/,
    );
  });
});
