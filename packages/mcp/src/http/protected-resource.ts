import { z } from 'zod';

/** The RFC 9728 protected-resource metadata document, as this endpoint writes it. */
export const protectedResourceMetadataSchema = z.object({
  resource: z.string(),
  resource_name: z.string(),
  bearer_methods_supported: z.array(z.string()),
  authorization_servers: z.array(z.string()).optional(),
  scopes_supported: z.array(z.string()).optional(),
  resource_documentation: z.string().optional(),
});
export type ProtectedResourceMetadata = z.infer<typeof protectedResourceMetadataSchema>;

/** The well-known path prefix of RFC 9728 protected-resource metadata. */
export const METADATA_PREFIX = '/.well-known/oauth-protected-resource';

/** What the metadata document says, besides the resource itself. */
export interface ProtectedResourceOptions {
  /** `authorization_servers`: the issuers whose tokens the resource accepts. */
  readonly authorizationServers: readonly string[];
  /** `scopes_supported`, when the tokens carry scopes. */
  readonly scopes: readonly string[] | undefined;
  /** `resource_documentation`. */
  readonly documentation: string | undefined;
}

/** The URL of the metadata document of the resource at `resource` (RFC 9728 section 3.1). */
export function metadataUrl(resource: URL): string {
  const path = resource.pathname === '/' ? '' : resource.pathname;
  return `${resource.origin}${METADATA_PREFIX}${path}`;
}

/**
 * The RFC 9728 protected-resource metadata of the MCP endpoint at `resource`: what it is, who
 * issues tokens for it, and that tokens go in the `Authorization` header. Public and
 * cacheable, and readable from any origin (browser-based MCP clients fetch it first).
 */
export function metadataResponse(resource: URL, options: ProtectedResourceOptions): Response {
  const document: ProtectedResourceMetadata = {
    resource: resource.href,
    bearer_methods_supported: ['header'],
    resource_name: 'taskpulse',
    ...(options.authorizationServers.length > 0 && {
      authorization_servers: [...options.authorizationServers],
    }),
    ...(options.scopes && { scopes_supported: [...options.scopes] }),
    ...(options.documentation && { resource_documentation: options.documentation }),
  };
  return new Response(JSON.stringify(document), {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=3600',
      'access-control-allow-origin': '*',
    },
  });
}

/**
 * The `WWW-Authenticate` challenge of a request without a valid token (RFC 6750, RFC 9728
 * section 5.1): it names the metadata document, and says `invalid_token` when a token was sent.
 */
export function bearerChallenge(resource: URL, tokenSent: boolean, reason: string): string {
  const parts = [`Bearer resource_metadata="${metadataUrl(resource)}"`];
  if (tokenSent) {
    parts.push('error="invalid_token"', `error_description="${reason.replace(/["\\]/g, "'")}"`);
  }
  return parts.join(', ');
}
