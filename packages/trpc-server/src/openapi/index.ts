export { createOpenApiDocument, type TaskpulseRouteOpenApi } from './document.ts';
export { createOpenApiRoute, DOCS_CONTENT_SECURITY_POLICY } from './openapi-route.ts';
export type { ResolvedOpenApiOptions, TaskpulseOpenApiOptions } from './options.ts';
