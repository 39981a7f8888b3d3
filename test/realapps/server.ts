// A tiny HTTP server on loopback for the apps that talk to one (httpx,
// requests): fixed bodies, so the bundle and the venv see the same answers.
import { createServer, type Server } from "node:http";

export const PAGES: Record<string, { type: string; body: string }> = {
  "/hello.json": { type: "application/json", body: JSON.stringify({ greeting: "hello", items: [1, 2, 3] }) },
  "/plain.txt": { type: "text/plain; charset=utf-8", body: "pyzap realapps: plain text, with ünïcödé\n" },
};

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(): Promise<LocalServer> {
  const server: Server = createServer((req, res) => {
    const page = PAGES[req.url ?? ""];
    if (!page) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    // Echo what the client said it was, so an app can show it really sent it.
    res.writeHead(200, { "content-type": page.type, "x-seen-method": req.method ?? "" });
    res.end(page.body);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
