import { TRPCError } from '@trpc/server';

/** The error of a request body larger than `maxBodySize` bytes. */
export const tooLarge = (maxBodySize: number) =>
  new TRPCError({
    code: 'PAYLOAD_TOO_LARGE',
    message: `The request body is larger than ${maxBodySize} bytes.`,
  });

/** Whether the request declares a body larger than `maxBodySize` bytes. */
export function declaresTooLarge(headers: Headers, maxBodySize: number): boolean {
  const declared = Number(headers.get('content-length'));
  return Number.isFinite(declared) && declared > maxBodySize;
}

/**
 * The request, with a body that fails with PAYLOAD_TOO_LARGE past `maxBodySize` bytes. A body
 * of a declared length within the limit is left as it is: HTTP framing ends it there.
 */
export function limitBody(request: Request, maxBodySize: number): Request {
  if (request.body === null) return request;
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) <= maxBodySize) return request;
  let size = 0;
  const body = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > maxBodySize) controller.error(tooLarge(maxBodySize));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
    duplex: 'half',
  } as RequestInit);
}
