import { getMe, noInput, userSchema } from '@taskpulse/core';
import { defineTool, READ_ONLY } from './tool.ts';

export const getMeTool = defineTool({
  name: 'get-me',
  title: 'Who the user is',
  description:
    'Reads the user the agent acts for: their id (tasks they own carry it as userId), email and name.',
  input: noInput.unwrap(),
  output: userSchema,
  annotations: READ_ONLY,
  run: async ({ context }) => {
    const me = await getMe(context);
    return {
      data: me,
      summary: `Acting for ${me.name ?? me.email ?? me.id} (user id ${me.id}${me.email ? `, ${me.email}` : ''}).`,
    };
  },
});
