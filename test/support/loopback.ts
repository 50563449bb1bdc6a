/**
 * Starts a node:http server on 127.0.0.1 (a free port) and closes it for good:
 * open keep-alive sockets are destroyed, so a test never waits on them.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A listening loopback server. */
export interface Loopback {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port. */
export async function listenOnLoopback(server: Server): Promise<Loopback> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
