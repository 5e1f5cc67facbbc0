import { delay, json, type Reply, type SandboxRequest } from './http';
import type { SandboxState } from './state';
import type { ActiveFault, FaultKind, Target } from './types';

/** One stand-in service (Partner Center, Graph, Entra) mounted under its prefix. */
export interface TargetHandler {
  target: Target;
  /** Path prefix, e.g. "/pc". */
  prefix: string;
  /** Whether a fault of this kind affects this request (unknown routes are never faulted). */
  acceptsFault(kind: FaultKind, req: SandboxRequest): boolean;
  /** The answer for throttle, serverError, mfaRequired and nonPremium faults. */
  faultReply(fault: ActiveFault, req: SandboxRequest): Reply;
  handle(req: SandboxRequest): Promise<Reply>;
  /** Last touch on every answer, faulted or not (e.g. echoing request ids). */
  finish?(req: SandboxRequest, reply: Reply): Reply;
}

/** Applies the active fault (if any) of the handler's target, then answers. */
export async function answerWithFaults(
  handler: TargetHandler,
  state: SandboxState,
  req: SandboxRequest,
): Promise<{ reply: Reply; fault: FaultKind | null }> {
  const fault = state.faults.take(handler.target, (kind) => handler.acceptsFault(kind, req));
  let reply: Reply;
  if (fault === undefined) {
    reply = await handler.handle(req);
  } else if (fault.kind === 'slow') {
    await delay(fault.delayMs, req.signal);
    reply = await handler.handle(req);
  } else if (fault.kind === 'malformed') {
    reply = truncate(await handler.handle(req));
  } else {
    reply = handler.faultReply(fault, req);
  }
  return { reply: handler.finish ? handler.finish(req, reply) : reply, fault: fault?.kind ?? null };
}

/** 200 with the first half of the JSON the request would have got (never valid JSON). */
function truncate(reply: Reply): Reply {
  const whole = reply.body.trim().startsWith('{') && reply.body.length > 8 ? reply.body : '{"items":[{"objectId":"';
  const cut = whole.slice(0, Math.max(2, Math.floor(whole.length / 2)));
  return { status: 200, headers: { ...reply.headers, 'content-type': 'application/json; charset=utf-8' }, body: cut };
}

export function notFound(target: Target, req: SandboxRequest): Reply {
  return json(404, { error: { code: 'sandbox_route_not_found', message: `${target}: no route for ${req.method} ${req.path}` } });
}
