import { getDashboard } from './dashboard.ts';
import { getMeTool } from './me.ts';
import { findShares, shareTask, unshareTask } from './sharing.ts';
import {
  addTasks,
  completeTasks,
  deleteTaskTool,
  findTasks,
  getTaskTool,
  reopenTasks,
  updateTaskTool,
} from './tasks.ts';
import { addTeamMember, findTeams, removeTeamMember } from './teams.ts';
import type { TaskpulseTool } from './tool.ts';

export { DASHBOARD_FIGURES } from './dashboard.ts';
export { MAX_BATCH } from './tasks.ts';
export type { TaskpulseTool, ToolAnswer, ToolSession } from './tool.ts';

/** Every tool of the taskpulse MCP server, in the order `tools/list` gives them. */
export const TASKPULSE_TOOLS: readonly TaskpulseTool[] = [
  findTasks,
  getTaskTool,
  addTasks,
  updateTaskTool,
  completeTasks,
  reopenTasks,
  deleteTaskTool,
  shareTask,
  unshareTask,
  findShares,
  findTeams,
  addTeamMember,
  removeTeamMember,
  getDashboard,
  getMeTool,
];
