/** Options of the OpenAPI document and the API reference page (`openapi` in the HTTP options). */
export interface TaskpulseOpenApiOptions {
  /** Where the OpenAPI 3.1 document is served. @default '/openapi.json' */
  path?: string;
  /** Where the API reference page (Swagger UI) is served, or `false` for none. @default '/docs' */
  docsPath?: string | false;
  /**
   * The document's `info`.
   * @default { title: 'taskpulse API', version: the @taskpulse/trpc-server version }
   */
  info?: { title?: string; version?: string; description?: string };
  /**
   * The servers clients call, e.g. `[{ url: 'https://api.example.com' }]` behind a proxy.
   * @default none: the origin that serves the document
   */
  servers?: { url: string; description?: string }[];
}

/** {@link TaskpulseOpenApiOptions} with defaults applied. */
export interface ResolvedOpenApiOptions {
  readonly path: string;
  readonly docsPath: string | false;
  readonly info: {
    readonly title: string;
    readonly version?: string;
    readonly description?: string;
  };
  readonly servers: readonly { url: string; description?: string }[];
}
