import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, posix } from 'node:path';
import type { AnyTRPCRouter } from '@trpc/server';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';
import { html } from 'hono/html';
import type { TaskpulseRoute } from '../http/routes.ts';
import type { TaskpulseRuntime } from '../runtime/index.ts';
import { createOpenApiDocument, type TaskpulseRouteOpenApi } from './document.ts';
import type { ResolvedOpenApiOptions } from './options.ts';

const require = createRequire(import.meta.url);

/**
 * The Content-Security-Policy of the API reference page: its own scripts and styles only (no
 * inline script or style, no eval), requests to its own origin only ("Try it out"), never
 * framed. Swagger UI's icons are `data:` SVGs.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': DOCS_CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Swagger UI's start-up, as a file of its own so that the page's CSP needs no inline script. */
const INIT_SCRIPT = `// Swagger UI on the taskpulse OpenAPI document (its URL is on the page's #swagger-ui element)
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: new URL(root.getAttribute('data-openapi-url'), window.location.href).href,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    queryConfigEnabled: false,
    displayRequestDuration: true,
    persistAuthorization: false,
  });
})();
`;

/** The folder of the `swagger-ui-dist` package. */
const swaggerUiDir = () => dirname(require.resolve('swagger-ui-dist/package.json'));

const version = (): string =>
  (require('@taskpulse/trpc-server/package.json') as { version: string }).version;

const tag = (body: string | Uint8Array) =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/** A URL of `to` that works from the page at `from`, also behind a proxy that adds a prefix. */
const relative = (from: string, to: string) => posix.relative(posix.dirname(from), to) || '.';

/** What the OpenAPI route needs of the server it is part of. */
export interface OpenApiRouteInput {
  readonly runtime: TaskpulseRuntime;
  readonly router: AnyTRPCRouter;
  readonly basePath: string;
  readonly metricsPath: string | false;
  readonly maxBatchSize: number;
  readonly openapi: ResolvedOpenApiOptions;
  /** What the server's other routes (such as `/mcp`) say of themselves. */
  readonly routes: readonly TaskpulseRouteOpenApi[];
}

/**
 * The built-in route of `openapi`: the OpenAPI document and, unless `docsPath` is false, the
 * API reference page with Swagger UI's files from the `swagger-ui-dist` package. The document
 * is made from the router once, on its first request (about 0.1 s of CPU that a server whose
 * document nobody reads never spends), and Swagger UI's files are read on theirs.
 */
export function createOpenApiRoute(input: OpenApiRouteInput): TaskpulseRoute {
  const { openapi } = input;
  let served: { json: string; etag: string } | undefined;
  const documentJson = () => {
    if (!served) {
      const json = JSON.stringify(
        createOpenApiDocument({
          router: input.router,
          basePath: input.basePath,
          metricsPath: input.metricsPath,
          metricsContentType: input.runtime.metrics.contentType,
          maxBatchSize: input.maxBatchSize,
          openapi,
          routes: input.routes,
          version: version(),
        }),
      );
      served = { json, etag: tag(json) };
    }
    return served;
  };

  const app = new Hono();
  app.use(etag(), compress());
  app.on(['GET', 'HEAD'], openapi.path, (c) => {
    const { json, etag: jsonTag } = documentJson();
    return c.body(json, 200, {
      'content-type': 'application/json',
      'cache-control': 'no-cache',
      etag: jsonTag,
    });
  });
  const paths = [openapi.path];

  const { docsPath } = openapi;
  if (docsPath !== false) {
    const asset = (name: string) => posix.join(docsPath, name);
    const assets = {
      [asset('swagger-ui.css')]: { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
      [asset('swagger-ui-bundle.js')]: {
        file: 'swagger-ui-bundle.js',
        type: 'text/javascript; charset=utf-8',
      },
      [asset('favicon-32x32.png')]: { file: 'favicon-32x32.png', type: 'image/png' },
    };
    const page = html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${openapi.info.title} — API reference</title>
    <link rel="icon" type="image/png" href="${relative(docsPath, asset('favicon-32x32.png'))}" />
    <link rel="stylesheet" href="${relative(docsPath, asset('swagger-ui.css'))}" />
  </head>
  <body>
    <div id="swagger-ui" data-openapi-url="${relative(docsPath, openapi.path)}"></div>
    <script src="${relative(docsPath, asset('swagger-ui-bundle.js'))}"></script>
    <script src="${relative(docsPath, asset('swagger-ui-init.js'))}"></script>
  </body>
</html>
`.toString();
    const pageTag = tag(page);
    app.on(['GET', 'HEAD'], docsPath, (c) =>
      c.html(page, 200, { 'cache-control': 'no-cache', etag: pageTag, ...PAGE_HEADERS }),
    );
    app.on(['GET', 'HEAD'], asset('swagger-ui-init.js'), (c) =>
      c.body(INIT_SCRIPT, 200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-cache',
        etag: tag(INIT_SCRIPT),
      }),
    );
    // read once, on first use: a server that never shows the page never loads 2 MB of it
    const files = new Map<string, Promise<{ body: Uint8Array<ArrayBuffer>; etag: string }>>();
    for (const [path, { file, type }] of Object.entries(assets)) {
      app.on(['GET', 'HEAD'], path, async (c) => {
        let loaded = files.get(file);
        if (!loaded) {
          loaded = readFile(`${swaggerUiDir()}/${file}`).then((body) => ({
            body,
            etag: tag(body),
          }));
          files.set(file, loaded);
          loaded.catch(() => files.delete(file));
        }
        const { body, etag: fileTag } = await loaded;
        return c.body(body, 200, {
          'content-type': type,
          'cache-control': 'public, max-age=86400',
          etag: fileTag,
        });
      });
    }
    paths.push(docsPath, asset('swagger-ui-init.js'), ...Object.keys(assets));
  }
  app.all('*', (c) =>
    c.json({ error: { message: `Use GET for ${c.req.path}.` } }, 405, { allow: 'GET, HEAD' }),
  );

  return { paths, handle: (request) => Promise.resolve(app.fetch(request)) };
}
