import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { taskpulseErrorShapeSchema } from './error-schema.ts';
import type { TaskpulseErrorShape } from './format-error.ts';

describe('taskpulseErrorShapeSchema', () => {
  it('is the TaskpulseErrorShape type', () => {
    expectTypeOf<z.output<typeof taskpulseErrorShapeSchema>>().toEqualTypeOf<TaskpulseErrorShape>();
  });
});
