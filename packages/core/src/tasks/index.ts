export {
  allOf,
  type Bound,
  type FilterConditions,
  filterConditions,
  scopeParts,
} from './filters.ts';
export {
  type CreateTaskInput,
  createTaskInput,
  type DeleteTaskInput,
  deleteTaskInput,
  type GetTaskInput,
  getTaskInput,
  type ListTasksInput,
  listTasksInput,
  TASK_ACCESS,
  TASK_SCOPES,
  type TaskAccess,
  type TaskDto,
  type TaskFilter,
  type TaskFilterInput,
  type TaskScope,
  taskFilterSchema,
  taskSchema,
  type UpdateTaskInput,
  updateTaskInput,
} from './schemas.ts';
export { createTask, deleteTask, getTask, listTasks, updateTask } from './task-service.ts';
