// Run with `npm test` (node --test). The client talks to a real HTTP server
// started here on loopback that answers like the backend does.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { ApiError, apiBase, createApi } from "./api.js";

let server;
let base;
const seen = [];

before(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, raw });
      const reply = (status, body) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (req.url === "/api/tasks" && !req.headers.authorization)
        return reply(401, { detail: "Not authenticated" });
      if (req.url === "/api/tasks") return reply(200, [{ id: "1", title: "A" }]);
      if (req.url === "/api/chat") return reply(503, { detail: "Chat is turned off" });
      if (req.url === "/api/auth/register")
        return reply(422, { detail: [{ loc: ["body", "password"], msg: "too short" }] });
      if (req.method === "DELETE") {
        res.writeHead(204);
        return res.end();
      }
      reply(404, { detail: "Not Found" });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test("unset API URL defaults to the ingress host; empty means same origin", () => {
  assert.equal(apiBase(undefined), "http://todo.local");
  assert.equal(apiBase(""), "");
  assert.equal(apiBase("https://todo.example.com/"), "https://todo.example.com");
});

test("requests carry the bearer token and parse JSON", async () => {
  const tasks = await createApi(base).listTasks("tok");
  assert.deepEqual(tasks, [{ id: "1", title: "A" }]);
  assert.equal(seen.at(-1).auth, "Bearer tok");
});

test("401 becomes an unauthorized ApiError", async () => {
  await assert.rejects(createApi(base).listTasks(null), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.unauthorized, true);
    return true;
  });
});

test("503 from the chat is an unavailable error with the server's message", async () => {
  await assert.rejects(createApi(base).chat("tok", "hi"), (error) => {
    assert.equal(error.unavailable, true);
    assert.equal(error.message, "Chat is turned off");
    return true;
  });
  assert.deepEqual(JSON.parse(seen.at(-1).raw), { message: "hi", conversation_id: null });
});

test("validation errors name the field", async () => {
  await assert.rejects(createApi(base).register("a@b.c", "x"), /password: too short/);
});

test("204 responses resolve to null", async () => {
  assert.equal(await createApi(base).deleteTask("tok", "1"), null);
});

test("an unreachable server is a clear error, not a crash", async () => {
  await assert.rejects(createApi("http://127.0.0.1:9").listTasks("tok"), /Cannot reach the server/);
});
