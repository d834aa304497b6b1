export { type Authenticator, createAuthenticator, toUserClaims } from './authenticator.ts';
export type {
  AuthRequest,
  HmacAlgorithm,
  IdentityClaims,
  JwksAuthOptions,
  JwksUrlAuthOptions,
  PublicKeyAlgorithm,
  ResolveUserAuthOptions,
  SecretAuthOptions,
  TaskpulseAuthOptions,
  TokenChecks,
} from './options.ts';
export { readBearerToken, readConnectionParamsToken, readToken } from './token.ts';
export { createKeySetVerifier, createSecretVerifier, type TokenVerifier } from './verify-token.ts';
