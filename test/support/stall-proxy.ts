// A TCP proxy on loopback that can stop forwarding without closing anything: every connection,
// and every new one, stays open and silent (a half-open network path) until resume().
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface StallProxy {
  port: number;
  /** Every connection, and every new one, stops moving data (until resume). */
  stall(): void;
  /** Only the connections open now stop for good (half-open); new ones work. */
  stallOpenConnections(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startStallProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<StallProxy> {
  const sockets = new Set<Socket>();
  const frozen = new Set<Socket>();
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    // Not reading is the stall: the kernel keeps accepting (and ACKing) into its buffers, nothing moves on.
    if (stalled) socket.pause();
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    track(client);
    track(upstream);
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  return {
    port: (server.address() as AddressInfo).port,
    stall() {
      stalled = true;
      for (const socket of sockets) socket.pause();
    },
    stallOpenConnections() {
      for (const socket of sockets) {
        socket.pause();
        frozen.add(socket);
      }
      sockets.clear();
    },
    resume() {
      stalled = false;
      for (const socket of sockets) socket.resume();
    },
    close() {
      for (const socket of [...sockets, ...frozen]) socket.destroy();
      return new Promise((resolveClose) => server.close(() => resolveClose()));
    },
  };
}
