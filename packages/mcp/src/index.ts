export {
  type HostChecks,
  hostChecks,
  LOCAL_HOSTNAMES,
  refusedHost,
} from './http/dns-rebinding.ts';
export { type TaskpulseMcpOptions, taskpulseMcp } from './http/mcp-route.ts';
export { METADATA_PREFIX, metadataUrl } from './http/protected-resource.ts';
export {
  callTool,
  createTaskpulseMcpServer,
  type InternalErrorReporter,
  listTools,
  SERVER_INFO,
  SERVER_INSTRUCTIONS,
  type TaskpulseMcpServerOptions,
} from './server/create-server.ts';
export { type ObservedOperation, observeOperations } from './server/observe.ts';
export {
  type ServeStdioOptions,
  type StdioLogger,
  type StdioSession,
  serveStdio,
} from './stdio/serve-stdio.ts';
export {
  DASHBOARD_FIGURES,
  MAX_BATCH,
  TASKPULSE_TOOLS,
  type TaskpulseTool,
  type ToolAnswer,
  type ToolSession,
} from './tools/index.ts';
