// Requests answered before their body was read — an upload refused as too large, of the wrong type, from a
// foreign origin, or any error thrown while a multipart body is still streaming in.
//
// Node keeps such a connection alive but paused: the parser is no longer reading, the client blocks on a full
// TCP window, and the socket lingers until the request timeout (minutes), which also holds up a graceful
// shutdown. Answering with `Connection: close` makes Node end the socket as soon as the answer is written; the
// remaining bytes are read and discarded meanwhile, so the client gets the answer rather than a reset.
//
// On shutdown (SIGTERM → app.close()), requests still uploading are cut off at once: their temp files are
// removed by the store (the stream errors), and the process exits within the grace period instead of waiting
// for a slow client.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { settleStagings } from '../lib/blobs/staging.js';

const hasBody = (req: FastifyRequest) => req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;

export function registerUnreadBodyGuard(app: FastifyInstance): void {
  const inFlight = new Set<FastifyRequest>();

  app.addHook('onRequest', async (req, reply) => {
    if (!hasBody(req)) return;
    inFlight.add(req);
    // 'close' of the response always comes: answered, or the connection gone.
    reply.raw.once('close', () => inFlight.delete(req));
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (hasBody(req) && req.raw.complete === false) {
      reply.header('connection', 'close');
      // Discard what still arrives: nothing will parse it, and a reading socket lets the answer reach the client.
      req.raw.unpipe();
      req.raw.resume();
    }
    return payload;
  });

  app.addHook('preClose', async () => {
    for (const req of inFlight) {
      if (req.raw.complete === false) req.raw.socket?.destroy();
    }
    inFlight.clear();
    // The cut-off uploads fail and remove their temp files; let them finish that before the process exits.
    await settleStagings(2_000);
  });
}
