#!/usr/bin/env node
// node_chat.js WS_URL: chatd against node's `ws` package, a widely used
// third-party WebSocket client.
// node_chat.js peer URL ROOM NAME PEERS [options]: one member of a room
// shared with clients of other kinds (see peer below).
//
// Checks, per docs/protocol.md: two members of a fresh room see each other's
// messages in one order with consecutive seq; rename and rooms; stranger mode
// (waiting, paired, you/stranger lines, stranger_left after next); a binary
// frame on the chat endpoint closed with 1003; and /echo returning a text and
// a binary message unchanged with their own opcodes, and one over the default
// --max-message closed with 1009. Exits 0 on success, 1 with the difference
// on failure. Every wait is bounded; the whole run is capped at TOTAL_MS.
//
// Left out: presence in large rooms, other limits and rate limiting (the C++
// integration tests drive those byte by byte).
"use strict";
const fs = require("fs");
const path = require("path");
const assert = require("assert");
const WebSocket = require(path.join(__dirname, "node_modules", "ws"));

const TOTAL_MS = 20000;
const RECEIVE_MS = 5000;
// A peer waits for clients of other kinds (a browser starting up) to join.
const PEER_TOTAL_MS = 45000;
const PEER_JOIN_MS = 30000;
const ROOM_NOTICES = new Set(["joined", "left", "presence"]);

// A client that queues every frame so the test can await them in order.
class Client {
  // options go to ws (and on to node's tls and net): ca, localAddress.
  constructor(url, who, options = {}) {
    this.who = who;
    this.queue = [];
    this.waiter = null;
    this.closed = null;
    this.pings = 0;
    this.socket = new WebSocket(url, { handshakeTimeout: RECEIVE_MS, ...options });
    this.socket.on("ping", () => { this.pings++; });  // ws answers each with a pong by itself
    this.socket.on("message", (data, isBinary) => this.push({ data, isBinary }));
    this.socket.on("close", (code) => { this.closed = code; this.push({ closeCode: code }); });
    this.socket.on("error", (error) => this.push({ error }));
  }
  push(item) {
    this.queue.push(item);
    if (this.waiter) { const wake = this.waiter; this.waiter = null; wake(); }
  }
  opened() {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState === WebSocket.OPEN) return resolve();
      this.socket.once("open", resolve);
      this.socket.once("error", reject);
    });
  }
  // The next raw frame ({data, isBinary}) or close ({closeCode}).
  async nextFrame(ms = RECEIVE_MS) {
    if (this.queue.length === 0) {
      let timer;
      await Promise.race([
        new Promise((resolve) => { this.waiter = resolve; }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${this.who}: nothing within ${ms} ms`)), ms);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    const item = this.queue.shift();
    if (item.error) throw new Error(`${this.who}: ${item.error.message}`);
    return item;
  }
  async next(ms) {
    const frame = await this.nextFrame(ms);
    assert.ok(frame.data !== undefined, `${this.who}: connection closed (${frame.closeCode}) while waiting`);
    assert.strictEqual(frame.isBinary, false, `${this.who}: chat frames must be text`);
    return JSON.parse(frame.data.toString("utf8"));
  }
  // Skips room notices until a message of the wanted type arrives.
  async nextOfType(type, ms) {
    for (;;) {
      const message = await this.next(ms);
      if (message.type === type) return message;
      assert.ok(ROOM_NOTICES.has(message.type),
        `${this.who}: waiting for ${type}, got ${JSON.stringify(message)}`);
    }
  }
  send(object) { this.socket.send(typeof object === "string" ? object : JSON.stringify(object)); }
  close() { this.socket.terminate(); }
}

async function connect(url, who, options) {
  const client = new Client(url, who, options);
  await client.opened();
  const welcome = await client.nextOfType("welcome");
  assert.strictEqual(welcome.room, "lobby");
  client.id = welcome.id;
  return client;
}

async function join(client, name, room) {
  client.send({ type: "join", name, room });
  const welcome = await client.nextOfType("welcome");
  assert.strictEqual(welcome.room, room);
  assert.strictEqual(welcome.name, name);
  return welcome;
}

async function roomChat(url, clients) {
  const room = `node-${process.pid}-${Date.now() % 100000}`;
  const alice = await connect(url, "alice"); clients.push(alice);
  const bob = await connect(url, "bob"); clients.push(bob);
  await join(alice, "alice", room);
  const welcome = await join(bob, "bob", room);
  assert.strictEqual(welcome.member_count, 2);
  assert.deepStrictEqual(welcome.members.map((m) => m.name).sort(), ["alice", "bob"]);

  alice.send({ type: "say", text: "one" });
  bob.send({ type: "say", text: "two" });
  alice.send("three, not JSON");
  const seen = {};
  for (const client of [alice, bob]) {
    seen[client.who] = [];
    for (let i = 0; i < 3; i++) seen[client.who].push(await client.nextOfType("message"));
  }
  for (const who of ["alice", "bob"]) {
    assert.deepStrictEqual(seen[who].map((m) => m.seq), [1, 2, 3], `${who}: seq`);
    for (const m of seen[who]) assert.strictEqual(m.room, room);
  }
  const order = (list) => list.map((m) => `${m.from}:${m.text}`);
  assert.deepStrictEqual(order(seen.alice), order(seen.bob), "both members see one order");
  assert.deepStrictEqual(order(seen.alice).sort(), ["alice:one", "alice:three, not JSON", "bob:two"]);

  bob.send({ type: "rename", name: "robert" });
  for (const client of [alice, bob]) {
    const renamed = await client.nextOfType("renamed");
    assert.deepStrictEqual(renamed, { type: "renamed", room, id: bob.id, old_name: "bob", name: "robert" });
  }
  alice.send({ type: "rooms" });
  const rooms = await alice.nextOfType("rooms");
  assert.deepStrictEqual(rooms.rooms.find((r) => r.name === room), { name: room, member_count: 2 });
}

async function strangerChat(url, clients) {
  const first = await connect(url, "stranger-1"); clients.push(first);
  const second = await connect(url, "stranger-2"); clients.push(second);
  first.send({ type: "stranger" });
  assert.deepStrictEqual(await first.nextOfType("waiting"), { type: "waiting" });
  second.send({ type: "stranger" });
  let reply = await second.nextOfType("paired");
  assert.deepStrictEqual(await first.nextOfType("paired"), { type: "paired" });
  assert.deepStrictEqual(reply, { type: "paired" });

  first.send({ type: "say", text: "hi stranger" });
  const mine = await first.next(), theirs = await second.next();
  assert.deepStrictEqual([mine.type, mine.from, mine.text], ["stranger_message", "you", "hi stranger"]);
  assert.deepStrictEqual([theirs.type, theirs.from, theirs.text], ["stranger_message", "stranger", "hi stranger"]);
  assert.strictEqual(typeof theirs.ts, "number");
  assert.ok(!JSON.stringify(theirs).includes("guest-"), "stranger mode must not reveal names");

  second.send({ type: "next" });
  assert.deepStrictEqual(await first.next(), { type: "stranger_left" });
  reply = await second.next();
  assert.deepStrictEqual(reply, { type: "waiting" });
  first.send({ type: "say", text: "anyone?" });
  reply = await first.next();
  assert.strictEqual(reply.type, "error");
  // "next" from the first brings someone new, never the second it just
  // left (docs/protocol.md): it waits too, and a newcomer is paired with the
  // one that waited longest, the second.
  first.send({ type: "next" });
  assert.deepStrictEqual(await first.nextOfType("waiting"), { type: "waiting" });
  const third = await connect(url, "stranger-3"); clients.push(third);
  third.send({ type: "stranger" });
  for (const client of [second, third]) assert.strictEqual((await client.nextOfType("paired")).type, "paired");
}

async function binaryOnChatIsClosed(url, clients) {
  const client = await connect(url, "binary"); clients.push(client);
  client.socket.send(Buffer.from([1, 2, 3]));
  for (;;) {
    const frame = await client.nextFrame();
    if (frame.closeCode !== undefined) { assert.strictEqual(frame.closeCode, 1003); return; }
  }
}

async function echo(url, clients) {
  const client = new Client(new URL("/echo", url).href, "echo"); clients.push(client);
  await client.opened();
  const text = "héllo ✓ {\"type\":\"say\"}";
  client.socket.send(text);
  let frame = await client.nextFrame();
  assert.strictEqual(frame.isBinary, false, "echo of text must be text");
  assert.strictEqual(frame.data.toString("utf8"), text);
  const bytes = Buffer.alloc(60000);                      // the 16-bit length form, several reads
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  client.socket.send(bytes);
  frame = await client.nextFrame();
  assert.strictEqual(frame.isBinary, true, "echo of binary must be binary");
  assert.ok(Buffer.compare(frame.data, bytes) === 0, "echoed bytes differ");
  client.socket.send(Buffer.alloc(0));
  frame = await client.nextFrame();
  assert.strictEqual(frame.isBinary, true);
  assert.strictEqual(frame.data.length, 0);
}

// One byte over the default --max-message (64 KiB) is closed with 1009.
async function echoTooLargeIsClosed(url, clients) {
  const client = new Client(new URL("/echo", url).href, "echo-large"); clients.push(client);
  await client.opened();
  client.socket.send(Buffer.alloc(65537));
  const frame = await client.nextFrame();
  assert.strictEqual(frame.closeCode, 1009, "a message over --max-message must be closed with 1009");
}

// One member of a room that clients of other kinds share (the proxy tests):
// joins ROOM as NAME, waits until every name in PEERS (this one's too) is a
// member, says "hello from NAME", waits for every peer's hello, and prints
// the room's messages in arrival order ("order: seq:from:text|..."), which
// every peer must print alike. With --idle S it then stays silent for S
// seconds and checks that the server's pings arrived (ws answered them) and
// that the connection still carries a message. --cafile trusts a
// certificate for wss://, --local-address picks the address to connect from.
function peerOptions(args) {
  const [url, room, name, peers, ...rest] = args;
  assert.ok(peers, "usage: node node_chat.js peer URL ROOM NAME PEERS [--cafile F] [--local-address A] [--idle S]");
  const options = { url, room, name, peers: new Set(peers.split(",")), ws: {}, idleSeconds: 0 };
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === "--cafile") options.ws.ca = fs.readFileSync(rest[i + 1]);
    else if (rest[i] === "--local-address") options.ws.localAddress = rest[i + 1];
    else if (rest[i] === "--idle") options.idleSeconds = Number(rest[i + 1]);
    else throw new Error(`unknown option ${rest[i]}`);
  }
  return options;
}

async function peer(options, clients) {
  const client = await connect(options.url, options.name, options.ws); clients.push(client);
  const welcome = await join(client, options.name, options.room);
  const members = new Set(welcome.members.map((m) => m.name));
  while (![...options.peers].every((name) => members.has(name))) members.add((await client.nextOfType("joined", PEER_JOIN_MS)).name);
  client.send({ type: "say", text: `hello from ${options.name}` });
  const order = [];
  while (order.length < options.peers.size) {
    const m = await client.nextOfType("message");
    assert.ok(options.peers.has(m.from) && m.text === `hello from ${m.from}`, `unexpected message ${JSON.stringify(m)}`);
    order.push(`${m.seq}:${m.from}:${m.text}`);
  }
  assert.strictEqual(new Set(order).size, order.length, `a message arrived twice: ${order}`);
  console.log(`order: ${order.join("|")}`);
  if (options.idleSeconds > 0) {
    const before = client.pings;
    await new Promise((resolve) => setTimeout(resolve, options.idleSeconds * 1000));
    assert.ok(client.pings > before, `no ping from the server in ${options.idleSeconds} s of silence`);
    assert.strictEqual(client.socket.readyState, WebSocket.OPEN, `closed (${client.closed}) while idle`);
    const text = `${options.name} after ${options.idleSeconds} s idle`;
    client.send({ type: "say", text });
    for (;;) if ((await client.nextOfType("message")).text === text) break;
    console.log(`idle: ${client.pings - before} ping(s) answered in ${options.idleSeconds} s`);
  }
}

async function main() {
  const isPeer = process.argv[2] === "peer";
  const url = process.argv[2];
  if (!url) { console.error("usage: node node_chat.js ws://HOST:PORT/ | peer URL ROOM NAME PEERS [options]"); process.exit(2); }
  const clients = [];
  const totalMs = isPeer ? PEER_TOTAL_MS : TOTAL_MS;
  const deadline = setTimeout(() => {
    console.error(`node_chat: FAIL: did not finish within ${totalMs} ms`);
    process.exit(1);
  }, totalMs);
  const steps = isPeer ? { peer: (_, list) => peer(peerOptions(process.argv.slice(3)), list) }
                       : { roomChat, strangerChat, binaryOnChatIsClosed, echo, echoTooLargeIsClosed };
  let step = "";
  try {
    for (step of Object.keys(steps)) await steps[step](url, clients);
  } catch (error) {
    console.error(`node_chat: FAIL in ${step}: ${error.message}`);
    process.exitCode = 1;
  } finally {
    for (const client of clients) client.close();
    clearTimeout(deadline);
  }
  if (!process.exitCode) console.log("node_chat: ok");
}

main();
