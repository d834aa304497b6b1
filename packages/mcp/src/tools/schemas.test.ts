import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { listTools } from '../server/create-server.ts';
import { TASKPULSE_TOOLS } from './index.ts';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

describe('tool schemas', () => {
  it('are valid JSON Schema 2020-12 objects, made from the same zod schemas', () => {
    for (const tool of listTools()) {
      for (const schema of [tool.inputSchema, tool.outputSchema]) {
        expect([tool.name, ajv.validateSchema(schema as object), ajv.errors]).toEqual([
          tool.name,
          true,
          null,
        ]);
        expect(schema).toMatchObject({ type: 'object' });
        // instants are ISO strings on the wire: no branch left for a JavaScript Date
        expect(JSON.stringify(schema)).not.toContain('taskpulse:date');
      }
    }
  });

  it('accept what the zod schemas accept and refuse what they refuse', () => {
    const samples: Record<string, unknown[]> = {
      'add-tasks': [
        { tasks: [{ title: 'ok', dueAt: '2026-12-01T09:00:00+05:45' }] },
        { tasks: [{ title: '' }] },
        { tasks: [{ title: 'x'.repeat(201) }] },
        { tasks: [{ title: '😀'.repeat(200) }] },
        { tasks: [{ title: 'ok', dueAt: 'tomorrow' }] },
        { tasks: [{ title: 'ok', extra: 1 }] },
        {},
      ],
      'find-tasks': [
        {},
        { scope: 'owned', limit: 5 },
        { limit: 0 },
        { scope: 'mine' },
        { createdFrom: '2026-01-01T00:00:00Z' },
      ],
      'get-dashboard': [{}, { figures: ['trend'], days: 366 }, { days: 367 }, { weekStartsOn: 7 }],
    };
    for (const [name, values] of Object.entries(samples)) {
      const tool = TASKPULSE_TOOLS.find((candidate) => candidate.name === name);
      const listed = listTools().find((candidate) => candidate.name === name);
      const validate = ajv.compile(listed?.inputSchema as object);
      for (const value of values) {
        const byZod = tool?.input.safeParse(value).success;
        expect([name, value, validate(value)]).toEqual([name, value, byZod]);
      }
    }
  });

  it('counts lengths in characters, as the database does', () => {
    const listed = listTools().find((tool) => tool.name === 'add-tasks');
    const validate = ajv.compile(listed?.inputSchema as object);
    // 200 emoji are 400 UTF-16 units: still a valid title
    expect(validate({ tasks: [{ title: '😀'.repeat(200) }] })).toBe(true);
  });
});
